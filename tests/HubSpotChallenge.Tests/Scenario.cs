using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json.Nodes;

using FakeHubSpot;

using Xunit;
using Xunit.Sdk;

namespace HubSpotChallenge.Tests;

/// <summary>
/// One test's world: its own fake HubSpot on a loopback port and its own empty working directory,
/// so tests run in parallel and a developer's real .env never leaks in.
/// </summary>
public sealed class Scenario : IAsyncDisposable
{
    /// <summary>The variables the app reads; the test process's own values are never passed on.</summary>
    static readonly string[] AppVariables = ["HUBSPOT_KEY", "FIRSTNAME", "LASTNAME", "HUBSPOT_BASE_URL",
        "http_proxy", "https_proxy", "all_proxy", "no_proxy", "HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "NO_PROXY"];

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

    /// <summary>The command that starts the app, before its own arguments: by default the JIT build, as
    /// <c>dotnet HubSpotChallenge.dll</c>; another build (the native one, or the Windows one under Wine) otherwise.</summary>
    public string[] App { get; set; } = ["dotnet", Path.Combine(AppContext.BaseDirectory, "HubSpotChallenge.dll")];

    /// <summary>A fresh fake HubSpot (under <paramref name="pathBase"/>, as behind a gateway) and an empty working directory.</summary>
    public static async Task<Scenario> StartAsync(string pathBase = "")
    {
        var directory = Path.Combine(Path.GetTempPath(), "hubspot-challenge-tests", Guid.NewGuid().ToString("N"));
        System.IO.Directory.CreateDirectory(directory);
        var scenario = new Scenario(await FakeHubSpotServer.StartAsync(pathBase: pathBase), directory);
        scenario.Environment["HUBSPOT_BASE_URL"] += pathBase;
        return scenario;
    }

    /// <summary>The repository's root (where HubSpotChallenge.csproj is), found above the test binaries.</summary>
    public static string RepositoryRoot()
    {
        var root = AppContext.BaseDirectory;
        while (!File.Exists(Path.Combine(root, "HubSpotChallenge.csproj")))
        {
            root = Path.GetDirectoryName(root.TrimEnd(Path.DirectorySeparatorChar)) ?? throw new InvalidOperationException("HubSpotChallenge.csproj not found above the tests");
        }

        return root;
    }

    public void WriteDotEnv(string contents) => File.WriteAllText(Path.Combine(Directory, ".env"), contents, new UTF8Encoding(false));

    /// <summary>Runs the built app (what `dotnet run` runs) and waits for it to exit.</summary>
    public Task<AppResult> RunAsync(params string[] args) => RunAsync(args, whileRunning: null);

    /// <summary>
    /// Runs the app; <paramref name="whileRunning"/> gets its process while it runs (e.g. to send a signal).
    /// <paramref name="shellRedirect"/> starts it through sh with a redirection such as <c>&gt;/dev/full</c> or <c>2&gt;&amp;-</c>.
    /// <paramref name="asNobody"/> runs it as the user nobody (through setpriv; the test must run as root).
    /// </summary>
    public async Task<AppResult> RunAsync(string[] args, Func<Process, Task>? whileRunning, string? shellRedirect = null, bool asNobody = false)
    {
        if (shellRedirect is not null)
        {
            Posix.Require("/bin/sh and its redirections");
        }

        var start = new ProcessStartInfo(asNobody ? "/usr/bin/setpriv" : shellRedirect is null ? App[0] : "/bin/sh")
        {
            WorkingDirectory = Directory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
        };
        if (asNobody)
        {
            foreach (var arg in new[] { "--reuid=65534", "--regid=65534", "--clear-groups", App[0] })
            {
                start.ArgumentList.Add(arg);
            }
        }

        if (shellRedirect is not null)
        {
            // exec keeps the process id, so signals still reach the app.
            foreach (var arg in new[] { "-c", $"exec \"$@\" {shellRedirect}", "sh", App[0] })
            {
                start.ArgumentList.Add(arg);
            }
        }

        foreach (var arg in App[1..].Concat(args))
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
            await whileRunning(process);
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
        // Every run's output goes to the test's output, so any failed assertion comes with what the app printed.
        TestContext.Current.TestOutputHelper?.WriteLine($"$ HubSpotChallenge {string.Join(' ', args)}   (exit code {result.ExitCode}){System.Environment.NewLine}{result}");
        AssertNoSecretIn(result);
        return result;
    }

    /// <summary>
    /// Runs the app and sends it <paramref name="signal"/> once <paramref name="when"/> holds (checked as the fake
    /// sees requests) and <paramref name="after"/> has passed; returns the run and how long it took to exit after the signal.
    /// </summary>
    public async Task<(AppResult Run, TimeSpan ToExit)> RunAndSignalAsync(int signal, Func<bool> when, TimeSpan after, TimeSpan? secondAfter = null)
    {
        Posix.Require("signals sent through libc");
        var signalled = new Stopwatch();
        var run = await RunAsync([], async process =>
        {
            // An app that exits before the moment comes is not signalled: its exit code and output tell why.
            while (!when())
            {
                if (process.HasExited)
                {
                    return;
                }

                await Task.Delay(20, TestContext.Current.CancellationToken);
            }

            await Task.Delay(after, TestContext.Current.CancellationToken);
            signalled.Start();
            Posix.Send(process.Id, signal);
            if (secondAfter is { } again)
            {
                // As an impatient user does; the app may be gone by then.
                await Task.Delay(again, TestContext.Current.CancellationToken);
                Posix.TrySend(process.Id, signal);
            }
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
