using System.Diagnostics;
using FakeHubSpot;
using Xunit;

namespace HubSpotChallenge.Tests;

/// <summary>The Native AOT build behaves like the JIT build. Opt-in: it downloads about 310 MB of packs and needs clang.</summary>
public sealed class NativeBuildTests
{
    [Fact]
    public async Task ThePublishedNativeBinaryCreatesEverythingAndReusesItOnARerun()
    {
        Assert.SkipUnless(Environment.GetEnvironmentVariable("HUBSPOT_CHALLENGE_NATIVE_TEST") == "1",
            "The native build test is opt-in: HUBSPOT_CHALLENGE_NATIVE_TEST=1 runs it (about 310 MB of packs, clang and zlib).");
        Assert.SkipUnless(OnPath("clang"), "clang is not installed, so the native build cannot be published here (apt-get install clang zlib1g-dev).");
        var binary = await PublishNativeAsync();
        await using var scenario = await Scenario.StartAsync();
        scenario.App = [binary];

        var first = (await scenario.RunAsync()).ShouldExitWith(0);
        var second = (await scenario.RunAsync()).ShouldExitWith(0);

        Expect.Converged(scenario);
        Assert.Equal(
            [Route.CreateContact, Route.SearchCompanies, Route.CreateCompany, Route.AssociateDefault,
             Route.CreateContact, Route.ReadContact, Route.ReadCompanies, Route.AssociateDefault],
            Expect.Routes(scenario));
        Assert.Equal(Expect.FreshRunOutput(scenario), first.Stdout.ReplaceLineEndings("\n"));
        Assert.Equal(Expect.RerunOutput(scenario), second.Stdout.ReplaceLineEndings("\n"));
    }

    static bool OnPath(string tool) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator).Any(dir => File.Exists(Path.Combine(dir, tool)));

    /// <summary>Runs the README's publish command into a fresh directory and returns the binary.</summary>
    static async Task<string> PublishNativeAsync()
    {
        var root = Scenario.RepositoryRoot();
        var output = Path.Combine(Path.GetTempPath(), "hubspot-challenge-native", Guid.NewGuid().ToString("N"));
        var publish = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in new[] { "publish", Path.Combine(root, "HubSpotChallenge.csproj"), "-c", "Release", "-r", "linux-x64", "-p:PublishAot=true", "-o", output, "-nologo" })
        {
            publish.ArgumentList.Add(arg);
        }

        using var process = Process.Start(publish)!;
        var stdout = process.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        var stderr = process.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        await process.WaitForExitAsync(TestContext.Current.CancellationToken);
        Assert.True(process.ExitCode == 0, $"dotnet publish failed:{Environment.NewLine}{await stdout}{await stderr}");
        return Path.Combine(output, "HubSpotChallenge");
    }
}
