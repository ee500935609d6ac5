using System.Runtime.InteropServices;
using System.Runtime.Versioning;

using Xunit;

namespace HubSpotChallenge.Tests;

/// <summary>The few libc calls the tests need (send a signal, read the user id, make a named pipe), and the skip for
/// tests that need a POSIX facility.</summary>
static partial class Posix
{
    public const int SIGHUP = 1;
    public const int SIGINT = 2;
    public const int SIGTERM = 15;

    /// <summary>Skips the test on Windows, which lacks <paramref name="facility"/>. The check itself calls nothing
    /// that Windows lacks.</summary>
    public static void Require(string facility) =>
        Assert.SkipWhen(OperatingSystem.IsWindows(), $"This test needs {facility}, which Windows lacks.");

    /// <summary>Whether the tests can run the app as nobody: as root, with setpriv, and the app's folders open to others.</summary>
    [UnsupportedOSPlatformGuard("windows")]
    public static bool CanRunAsNobody => !OperatingSystem.IsWindows() && GetEffectiveUserId() == 0 &&
        File.Exists("/usr/bin/setpriv") && OthersMayEnter(AppContext.BaseDirectory);

    [UnsupportedOSPlatform("windows")]
    static bool OthersMayEnter(string path)
    {
        for (var dir = Path.GetFullPath(path).TrimEnd('/'); dir.Length > 0; dir = Path.GetDirectoryName(dir) ?? "")
        {
            if (!File.GetUnixFileMode(dir).HasFlag(UnixFileMode.OtherExecute))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Mode 000: only root may read it.</summary>
    public static void MakeUnreadable(string path)
    {
        if (OperatingSystem.IsWindows())
        {
            throw new PlatformNotSupportedException("Unix file modes");
        }

        File.SetUnixFileMode(path, UnixFileMode.None);
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
