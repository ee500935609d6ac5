using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json.Nodes;

using FakeHubSpot;

using Xunit;
using Xunit.Sdk;

namespace HubSpotChallenge.Tests;

/// <summary>The few libc calls the tests need: send a signal, make a named pipe.</summary>
static partial class Posix
{
    public const int SIGHUP = 1;
    public const int SIGINT = 2;
    public const int SIGTERM = 15;

    /// <summary>Whether the tests can run the app as nobody: as root, with setpriv, and the app's folders open to others.</summary>
    public static bool CanRunAsNobody =>
        GetEffectiveUserId() == 0 && File.Exists("/usr/bin/setpriv") && Ancestors(AppContext.BaseDirectory).All(dir =>
            File.GetUnixFileMode(dir).HasFlag(UnixFileMode.OtherExecute));

    static IEnumerable<string> Ancestors(string path)
    {
        for (var dir = Path.GetFullPath(path).TrimEnd('/'); dir.Length > 0; dir = Path.GetDirectoryName(dir) ?? "")
        {
            yield return dir;
        }
    }

    [LibraryImport("libc", EntryPoint = "geteuid")]
    private static partial uint GetEffectiveUserId();

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);

    [LibraryImport("libc", EntryPoint = "mkfifo", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int MakeFifo(string path, uint mode);

    /// <summary>A named pipe at <paramref name="path"/>: opening it for reading waits for a writer that never comes.</summary>
    public static void CreateFifo(string path)
    {
        if (MakeFifo(path, Convert.ToUInt32("600", 8)) != 0)
        {
            throw new InvalidOperationException($"mkfifo({path}) failed: errno {Marshal.GetLastPInvokeError()}");
        }
    }

    public static void TrySend(int pid, int signal) => Kill(pid, signal);

    public static void Send(int pid, int signal)
    {
        if (Kill(pid, signal) != 0)
        {
            throw new InvalidOperationException($"kill({pid}, {signal}) failed: errno {Marshal.GetLastPInvokeError()}");
        }
    }
}
