using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text;

using FakeHubSpot;

using Xunit;
using Xunit.Sdk;

namespace HubSpotChallenge.Tests;

/// <summary>One test's world: its own fake HubSpot on a free loopback port and its own empty working directory, so
/// that tests run in parallel and a developer's own .env never leaks in.</summary>
public sealed class World : IAsyncDisposable
{
    public const string Company = "Coding Challenge Company GmbH";
    public const string Domain = "coding-challenge-company.com";
    public const int SIGINT = 2, SIGTERM = 15;

    /// <summary>What the app reads; the test process's own values never reach it.</summary>
    static readonly string[] AppVariables = ["HUBSPOT_KEY", "FIRSTNAME", "LASTNAME", "HUBSPOT_BASE_URL",
        "http_proxy", "https_proxy", "all_proxy", "HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY"];

    World(FakeHubSpotServer hubSpot)
    {
        HubSpot = hubSpot;
        Directory = Path.Combine(Path.GetTempPath(), "hubspot-challenge-tests", $"{Guid.NewGuid():N}");
        System.IO.Directory.CreateDirectory(Directory);
        Environment = new()
        {
            ["HUBSPOT_KEY"] = FakeHubSpotServer.Token,
            ["FIRSTNAME"] = "Ada",
            ["LASTNAME"] = "Lovelace",
            ["HUBSPOT_BASE_URL"] = hubSpot.BaseUrl.ToString().TrimEnd('/'),
        };
    }

    public FakeHubSpotServer HubSpot { get; }

    /// <summary>The app's working directory: where it looks for .env.</summary>
    public string Directory { get; }

    /// <summary>The environment the app starts with; null leaves a variable unset.</summary>
    public Dictionary<string, string?> Environment { get; }

    /// <summary>What starts the app before its own arguments: the built app, as <c>dotnet run</c> runs it.</summary>
    public string[] App { get; set; } = ["dotnet", Path.Combine(AppContext.BaseDirectory, "HubSpotChallenge.dll")];

    public List<Route?> Routes => [.. HubSpot.Requests.Select(r => r.Route)];

    public static async Task<World> StartAsync() => new(await FakeHubSpotServer.StartAsync());

    public static string Root { get; } = FindRoot(AppContext.BaseDirectory);

    public void WriteDotEnv(string text, Encoding? encoding = null) =>
        File.WriteAllText(Path.Combine(Directory, ".env"), text, encoding ?? new UTF8Encoding(false));

    /// <summary>Without variables of its own: the app reads what .env says.</summary>
    public World WithoutVariables()
    {
        foreach (var name in new[] { "HUBSPOT_KEY", "FIRSTNAME", "LASTNAME", "HUBSPOT_BASE_URL" })
        {
            Environment[name] = null;
        }

        return this;
    }

    /// <summary>Runs the app and waits for its exit; <paramref name="whileRunning"/> gets its process meanwhile.</summary>
    public async Task<AppRun> RunAsync(string[] args, Func<Process, Task>? whileRunning = null)
    {
        var start = new ProcessStartInfo(App[0])
        {
            WorkingDirectory = Directory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
        };
        foreach (var arg in App[1..].Concat(args))
        {
            start.ArgumentList.Add(arg);
        }

        foreach (var name in AppVariables)
        {
            start.Environment.Remove(name);
        }

        foreach (var (name, value) in Environment.Where(v => v.Value is not null))
        {
            start.Environment[name] = value;
        }

        var ct = TestContext.Current.CancellationToken;
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync(ct);
        var stderr = process.StandardError.ReadToEndAsync(ct);
        if (whileRunning is not null)
        {
            await whileRunning(process);
        }

        try
        {
            await process.WaitForExitAsync(ct).WaitAsync(TimeSpan.FromSeconds(90), ct);
        }
        catch (TimeoutException)
        {
            // A hung app is killed, and what it printed so far shows why.
            process.Kill(entireProcessTree: true);
            throw new XunitException($"The app did not exit within 90 s.\n{await stdout}{await stderr}");
        }

        var run = new AppRun(process.ExitCode, (await stdout).ReplaceLineEndings("\n"),
            (await stderr).ReplaceLineEndings("\n"));
        TestContext.Current.TestOutputHelper?.WriteLine($"$ app {string.Join(' ', args)}\n{run}");
        Assert.False(run.Output.Contains(FakeHubSpotServer.Token, StringComparison.Ordinal), $"The token shows.\n{run}");
        return run;
    }

    public Task<AppRun> RunAsync() => RunAsync([]);

    /// <summary>Runs the app, and sends it <paramref name="signal"/> (as Ctrl+C does) once <paramref name="when"/>
    /// holds.</summary>
    public Task<AppRun> RunAndSignalAsync(int signal, Func<bool> when, int afterMs = 0)
    {
        Assert.SkipWhen(OperatingSystem.IsWindows(), "Signals are sent through libc's kill().");
        return RunAsync([], async process =>
        {
            while (!when() && !process.HasExited)
            {
                await Task.Delay(20, TestContext.Current.CancellationToken);
            }

            await Task.Delay(afterMs, TestContext.Current.CancellationToken);
            _ = Kill(process.Id, signal);
        });
    }

    /// <summary>One contact, one company with our domain, and the two associated.</summary>
    public void ShouldHaveConverged()
    {
        var contact = Assert.Single(HubSpot.Contacts);
        var company = Assert.Single(HubSpot.Companies, c => c["domain"] == Domain);
        Assert.Contains((contact.Id, company.Id), HubSpot.Links);
    }

    public async ValueTask DisposeAsync()
    {
        await HubSpot.DisposeAsync();
        System.IO.Directory.Delete(Directory, recursive: true);
    }

    static string FindRoot(string directory) => File.Exists(Path.Combine(directory, "HubSpotChallenge.csproj"))
        ? directory : FindRoot(Path.GetDirectoryName(directory.TrimEnd(Path.DirectorySeparatorChar))!);

    [DllImport("libc", EntryPoint = "kill")]
    static extern int Kill(int pid, int signal);
}

/// <summary>What one run of the app did.</summary>
public sealed record AppRun(int ExitCode, string Stdout, string Stderr)
{
    public string Output => Stdout + Stderr;

    public AppRun ShouldExitWith(int expected) => ExitCode == expected ? this
        : throw new XunitException($"Expected exit code {expected}, got {ExitCode}.\n{this}");

    /// <summary>The README's promise for a failure: one line naming what it must name, then what exists so far;
    /// no stack trace. Returns the first line.</summary>
    public string ShouldFailWith(int exitCode, params string[] named)
    {
        ShouldExitWith(exitCode);
        var lines = Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.True(lines is [_, var soFar] && soFar.StartsWith("So far: ", StringComparison.Ordinal), $"{this}");
        Assert.All(named, part => Assert.Contains(part, lines[0], StringComparison.Ordinal));
        Assert.DoesNotContain("   at ", Output, StringComparison.Ordinal);
        return lines[0];
    }

    public override string ToString() => $"exit code {ExitCode}\n--- stdout ---\n{Stdout}--- stderr ---\n{Stderr}---";
}
