using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text;

using FakeHubSpot;

using Xunit;
using Xunit.Sdk;

namespace HubSpotChallenge.Tests;

/// <summary>What one run of the app did: exit code and both streams.</summary>
public sealed record AppResult(int ExitCode, string Stdout, string Stderr, TimeSpan Elapsed)
{
    public string Output => Stdout + Stderr;

    /// <summary>Fails with both streams in the message, so a red test explains itself.</summary>
    public AppResult ShouldExitWith(int expected)
    {
        if (ExitCode != expected)
        {
            throw new XunitException($"Expected exit code {expected}, got {ExitCode}.{Environment.NewLine}{this}");
        }

        return this;
    }

    public override string ToString() =>
        $"--- stdout ---{Environment.NewLine}{Stdout}--- stderr ---{Environment.NewLine}{Stderr}--- ({Elapsed.TotalMilliseconds:0} ms)";
}

/// <summary>
/// One test's world: its own fake HubSpot on a loopback port and its own empty working directory,
/// so tests run in parallel and a developer's real .env never leaks in.
/// </summary>
public sealed class Scenario : IAsyncDisposable
{
    /// <summary>The variables the app reads; the test process's own values are never passed on.</summary>
    static readonly string[] AppVariables = ["HUBSPOT_KEY", "FIRSTNAME", "LASTNAME", "CONTACT_EMAIL", "HUBSPOT_BASE_URL", "HUBSPOT_TIMEOUT_SECONDS"];

    Scenario(FakeHubSpotServer hubSpot, string directory)
    {
        HubSpot = hubSpot;
        Directory = directory;
        Environment = new Dictionary<string, string?>
        {
            ["HUBSPOT_KEY"] = hubSpot.Token,
            ["FIRSTNAME"] = "Ada",
            ["LASTNAME"] = "Lovelace",
            ["HUBSPOT_BASE_URL"] = hubSpot.BaseUrl.ToString().TrimEnd('/'),
        };
    }

    public FakeHubSpotServer HubSpot { get; }

    /// <summary>The app's working directory: where it looks for .env.</summary>
    public string Directory { get; }

    /// <summary>The environment the app starts with; set a value to null to leave it unset.</summary>
    public Dictionary<string, string?> Environment { get; }

    public static async Task<Scenario> StartAsync()
    {
        var directory = Path.Combine(Path.GetTempPath(), "hubspot-challenge-tests", Guid.NewGuid().ToString("N"));
        System.IO.Directory.CreateDirectory(directory);
        return new Scenario(await FakeHubSpotServer.StartAsync(), directory);
    }

    public void WriteDotEnv(string contents) => File.WriteAllText(Path.Combine(Directory, ".env"), contents, new UTF8Encoding(false));

    /// <summary>Runs the built app (what `dotnet run` runs) and waits for it to exit.</summary>
    public Task<AppResult> RunAsync(params string[] args) => RunAsync(args, whileRunning: null);

    /// <summary>
    /// Runs the app; <paramref name="whileRunning"/> gets its process id while it runs (e.g. to send a signal).
    /// <paramref name="executable"/> runs another build of it (the native one) instead of the JIT build.
    /// </summary>
    public async Task<AppResult> RunAsync(string[] args, Func<int, Task>? whileRunning, string? executable = null)
    {
        var start = new ProcessStartInfo(executable ?? "dotnet")
        {
            WorkingDirectory = Directory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
        };
        if (executable is null)
        {
            start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "HubSpotChallenge.dll"));
        }

        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        foreach (var name in AppVariables)
        {
            start.Environment.Remove(name);
        }

        foreach (var (name, value) in Environment)
        {
            if (value is null)
            {
                start.Environment.Remove(name);
            }
            else
            {
                start.Environment[name] = value;
            }
        }

        var clock = Stopwatch.StartNew();
        using var process = Process.Start(start) ?? throw new InvalidOperationException("dotnet did not start");
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        var stderr = process.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        if (whileRunning is not null)
        {
            await whileRunning(process.Id);
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(90));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new XunitException($"The app did not exit within 90 s.{System.Environment.NewLine}{await stdout}{await stderr}");
        }

        var result = new AppResult(process.ExitCode, await stdout, await stderr, clock.Elapsed);
        AssertNoSecretIn(result);
        return result;
    }

    /// <summary>
    /// Runs the app and sends it <paramref name="signal"/> once <paramref name="when"/> holds (checked as the fake
    /// sees requests) and <paramref name="after"/> has passed; returns the run and how long it took to exit after the signal.
    /// </summary>
    public async Task<(AppResult Run, TimeSpan ToExit)> RunAndSignalAsync(int signal, Func<bool> when, TimeSpan after)
    {
        var signalled = new Stopwatch();
        var run = await RunAsync([], async pid =>
        {
            while (!when())
            {
                await Task.Delay(20, TestContext.Current.CancellationToken);
            }

            await Task.Delay(after, TestContext.Current.CancellationToken);
            signalled.Start();
            Signals.Send(pid, signal);
        });
        return (run, signalled.Elapsed);
    }

    /// <summary>Every run, whatever the test: the token never appears in anything the app prints.</summary>
    void AssertNoSecretIn(AppResult result)
    {
        if (Environment.GetValueOrDefault("HUBSPOT_KEY") is { Length: > 8 } token && result.Output.Contains(token, StringComparison.Ordinal))
        {
            throw new XunitException($"The app printed the token.{System.Environment.NewLine}{result}");
        }
    }

    public async ValueTask DisposeAsync()
    {
        await HubSpot.DisposeAsync();
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}

static partial class Signals
{
    public const int SIGINT = 2;
    public const int SIGTERM = 15;

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);

    public static void Send(int pid, int signal)
    {
        if (Kill(pid, signal) != 0)
        {
            throw new InvalidOperationException($"kill({pid}, {signal}) failed: errno {Marshal.GetLastPInvokeError()}");
        }
    }
}
