using System.Diagnostics;
using System.Text;

using FakeHubSpot;

using Xunit;

namespace HubSpotChallenge.Tests;

/// <summary>
/// The program as a Windows user gets it: built for win-x64 from a checkout with CRLF line endings (as Git for
/// Windows makes one), run under Wine against the fake. Opt-in: it needs Wine and about 80 MB of packs.
/// Wine turns SIGINT into Ctrl+C; SIGTERM simply kills it, so that is not tried here.
/// </summary>
public sealed class WindowsStandInTests
{
    const string OptIn = "HUBSPOT_CHALLENGE_WINDOWS_TEST";
    static readonly Lazy<Task<string>> Published = new(PublishAsync);

    [Fact]
    public async Task ARealNameFromACrlfDotEnvWithAByteOrderMarkPrintsAsWrittenAndARerunReusesEverything()
    {
        await using var scenario = await UnderWineAsync();
        NothingInTheEnvironment(scenario);
        var dotEnv = $"HUBSPOT_KEY={scenario.HubSpot.Token}\r\nFIRSTNAME=Łukasz\r\nLASTNAME=Ødegård-Weiß\r\n";
        await File.WriteAllTextAsync(Path.Combine(scenario.Directory, ".env"), dotEnv, new UTF8Encoding(true), TestContext.Current.CancellationToken);

        var first = (await scenario.RunAsync()).ShouldExitWith(0);
        var second = (await scenario.RunAsync()).ShouldExitWith(0);

        var contact = Assert.Single(scenario.HubSpot.Contacts);
        Assert.Equal(("Łukasz", "Ødegård-Weiß", "lukasz.odegardweiss@example.com"), (contact["firstname"], contact["lastname"], contact["email"]));
        Assert.StartsWith($"Contact {contact.Id} created: Łukasz Ødegård-Weiß <lukasz.odegardweiss@example.com>\r\n", first.Stdout, StringComparison.Ordinal);
        Assert.StartsWith($"Contact {contact.Id} already existed: Łukasz Ødegård-Weiß <lukasz.odegardweiss@example.com>\r\n", second.Stdout, StringComparison.Ordinal);
        Assert.Equal(Expect.RerunOutput(scenario).Split('\n')[1..], second.Stdout.ReplaceLineEndings("\n").Split('\n')[1..]);
        Expect.Converged(scenario);
    }

    [Fact]
    public async Task AWindows1252DotEnvIsRefusedWithOneLineAndNothingIsSent()
    {
        await using var scenario = await UnderWineAsync();
        NothingInTheEnvironment(scenario);
        var dotEnv = $"HUBSPOT_KEY={scenario.HubSpot.Token}\r\nFIRSTNAME=Jürgen\r\nLASTNAME=Müller\r\n";
        await File.WriteAllBytesAsync(Path.Combine(scenario.Directory, ".env"), Encoding.Latin1.GetBytes(dotEnv), TestContext.Current.CancellationToken);

        var run = (await scenario.RunAsync()).ShouldExitWith(2);

        var lines = run.Stderr.ReplaceLineEndings("\n").Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(2, lines.Length);
        Assert.Matches(@"^  - Z:\\.*\\\.env is not UTF-8 \(older Windows editors save Windows-1252\), so none of its values were read: save it as UTF-8\.$", lines[1]);
        Assert.Empty(scenario.HubSpot.Requests);
    }

    [Fact]
    public async Task TheExamplesPlaceholderIsRefusedAndNothingIsSent()
    {
        await using var scenario = await UnderWineAsync();
        NothingInTheEnvironment(scenario);
        File.Copy(Path.Combine(Scenario.RepositoryRoot(), ".env.example"), Path.Combine(scenario.Directory, ".env"));

        var run = (await scenario.RunAsync()).ShouldExitWith(2);

        Assert.Matches(@"  - HUBSPOT_KEY in Z:\\.*\\\.env is still the placeholder from \.env\.example: put your service key or private app token there\.", run.Stderr);
        Assert.Empty(scenario.HubSpot.Requests);
    }

    [Fact]
    public async Task AWrongTokenIsOneLineNamingHubSpotKey()
    {
        await using var scenario = await UnderWineAsync();
        scenario.Environment["HUBSPOT_KEY"] = "pat-na1-this-token-is-fake-and-wrong";

        var run = (await scenario.RunAsync()).ShouldExitWith(1);

        Expect.OneClearFailure(run, "Check HUBSPOT_KEY");
        Assert.Contains("401", run.Stderr, StringComparison.Ordinal);
        Assert.Single(scenario.HubSpot.Requests);
    }

    [Fact]
    public async Task CtrlCDuringTheSearchStopsTheRunWith130()
    {
        await using var scenario = await UnderWineAsync();
        scenario.HubSpot.Inject(Route.SearchCompanies, Fault.Slow(TimeSpan.FromSeconds(20)));

        var (run, _) = await scenario.RunAndSignalAsync(Posix.SIGINT,
            when: () => scenario.HubSpot.Requests.Any(r => r.Route == Route.SearchCompanies), after: TimeSpan.FromMilliseconds(300));

        run.ShouldExitWith(130);
        Assert.StartsWith("Cancelled.\nSo far: contact ", run.Stderr.ReplaceLineEndings("\n"), StringComparison.Ordinal);
        Assert.Empty(scenario.HubSpot.Companies);
    }

    [Fact]
    public async Task HelpBuiltFromACrlfCheckoutPrintsNoCarriageReturnWithinALine()
    {
        await using var scenario = await UnderWineAsync();

        var run = (await scenario.RunAsync("--help")).ShouldExitWith(0);

        var lines = run.Stdout.Split("\r\n");
        Assert.Equal(4, lines.Length);
        Assert.All(lines, line => Assert.DoesNotContain('\r', line));
        Assert.DoesNotContain("\\u000D", run.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TheTableTestsPassUnderWineFromTheTestProjectsWindowsBuild()
    {
        await WindowsBuildAsync();
        var work = Directory.CreateTempSubdirectory("hubspot-challenge-windows-tests-").FullName;
        var root = Scenario.RepositoryRoot();
        // A copy of the sources: the publish must not touch this build's own folders.
        foreach (var folder in new[] { "", "tests/FakeHubSpot", "tests/HubSpotChallenge.Tests" })
        {
            Directory.CreateDirectory(Path.Combine(work, folder));
            foreach (var file in Directory.GetFiles(Path.Combine(root, folder)))
            {
                File.Copy(file, Path.Combine(work, folder, Path.GetFileName(file)));
            }
        }

        var output = Path.Combine(work, "out");
        var (published, printed) = await RunAsync("dotnet", "publish", Path.Combine(work, "tests/HubSpotChallenge.Tests"),
            "-c", "Release", "-r", "win-x64", "--self-contained", "-o", output, "-nologo", "-p:NuGetLockFilePath=obj/packages.win.lock.json");
        Assert.True(published == 0, $"dotnet publish of the tests failed:{Environment.NewLine}{printed}");

        var (exitCode, report) = await RunAsync("/usr/bin/wine", Path.Combine(output, "HubSpotChallenge.Tests.exe"), "-class", "*Rules");

        Assert.True(exitCode == 0, $"The table tests failed under Wine:{Environment.NewLine}{report}");
        Assert.Matches(@"Total: (1\d\d|[2-9]\d\d), Errors: 0, Failed: 0,", report);
    }

    static void NothingInTheEnvironment(Scenario scenario)
    {
        foreach (var name in new[] { "HUBSPOT_KEY", "FIRSTNAME", "LASTNAME" })
        {
            scenario.Environment[name] = null;
        }
    }

    /// <summary>A scenario whose app is the win-x64 build under Wine, in a Wine prefix the tests share.</summary>
    static async Task<Scenario> UnderWineAsync()
    {
        var exe = await WindowsBuildAsync();
        var scenario = await Scenario.StartAsync();
        scenario.App = ["/usr/bin/wine", exe];
        scenario.Environment["WINEPREFIX"] = Prefix;
        scenario.Environment["WINEDEBUG"] = "-all";
        return scenario;
    }

    /// <summary>The app's win-x64 build, published once for all these tests, with the Wine prefix made.</summary>
    static Task<string> WindowsBuildAsync()
    {
        Assert.SkipUnless(Environment.GetEnvironmentVariable(OptIn) == "1",
            $"The Windows stand-in tests are opt-in: {OptIn}=1 runs them, with Wine installed (apt-get install wine64).");
        Assert.True(File.Exists("/usr/bin/wine"), "Wine is not installed: apt-get install wine64.");
        return Published.Value;
    }

    static readonly string Prefix = Path.Combine(Path.GetTempPath(), "hubspot-challenge-wine");

    /// <summary>Copies the app's sources with CRLF line endings and publishes them for win-x64, self-contained.</summary>
    static async Task<string> PublishAsync()
    {
        var root = Scenario.RepositoryRoot();
        var work = Directory.CreateTempSubdirectory("hubspot-challenge-windows-").FullName;
        foreach (var file in new[] { "Program.cs", "HubSpotChallenge.csproj", "Directory.Build.props", "packages.lock.json", "global.json", ".editorconfig" })
        {
            var text = await File.ReadAllTextAsync(Path.Combine(root, file));
            await File.WriteAllTextAsync(Path.Combine(work, file), text.ReplaceLineEndings("\r\n"));
        }

        var output = Path.Combine(work, "out");
        var (exitCode, printed) = await RunAsync("dotnet", "publish", Path.Combine(work, "HubSpotChallenge.csproj"),
            "-c", "Release", "-r", "win-x64", "--self-contained", "-o", output, "-nologo");
        Assert.True(exitCode == 0, $"dotnet publish -r win-x64 failed:{Environment.NewLine}{printed}");
        await RunAsync("/usr/bin/wine", "wineboot", "--init");
        return Path.Combine(output, "HubSpotChallenge.exe");
    }

    /// <summary>Runs a command to its end; the first wineboot makes the prefix, which takes some seconds and talks.</summary>
    static async Task<(int ExitCode, string Output)> RunAsync(string file, params string[] args)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.Environment["WINEPREFIX"] = Prefix;
        start.Environment["WINEDEBUG"] = "-all";
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (process.ExitCode, await stdout + await stderr);
    }
}
