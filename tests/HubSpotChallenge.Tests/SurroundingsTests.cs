using FakeHubSpot;

using Xunit;

namespace HubSpotChallenge.Tests;

/// <summary>What nothing in the program foresees ends at its last boundary: one line, exit code 1, never a stack trace.</summary>
public sealed class SurroundingsTests
{
    [Theory]
    [InlineData(">/dev/full", "IOException while creating the contact: No space left on device.")]
    [InlineData(">&-", "UnauthorizedAccessException while creating the contact: Access to the path is denied.")]
    public async Task StandardOutputThatCannotBeWrittenStopsTheRunWithOneLineAndARerunCreatesNothingTwice(string redirect, string expected)
    {
        await using var scenario = await Scenario.StartAsync();

        var run = (await scenario.RunAsync([], whileRunning: null, shellRedirect: redirect)).ShouldExitWith(1);
        (await scenario.RunAsync()).ShouldExitWith(0);

        Expect.OneClearFailure(run, $"Stopped by an unexpected {expected} HUBSPOT_CHALLENGE_DEBUG=1 shows the details.");
        Assert.Contains($"So far: contact {scenario.HubSpot.Contacts[0].Id} created, no company yet.", run.Stderr, StringComparison.Ordinal);
        Expect.Converged(scenario);
    }

    [Fact]
    public async Task TheDebugSwitchAddsTheWholeException()
    {
        await using var scenario = await Scenario.StartAsync();
        scenario.Environment["HUBSPOT_CHALLENGE_DEBUG"] = "1";

        var run = (await scenario.RunAsync(["--help"], whileRunning: null, shellRedirect: ">/dev/full")).ShouldExitWith(1);

        Assert.StartsWith("Stopped by an unexpected IOException while reading the arguments: No space left on device.", run.Stderr, StringComparison.Ordinal);
        Assert.Contains("System.IO.IOException: No space left on device", run.Stderr, StringComparison.Ordinal);
        Assert.Contains("   at ", run.Stderr, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("2>/dev/full")]
    [InlineData("2>&-")]
    public async Task StandardErrorThatCannotBeWrittenKeepsTheDocumentedExitCode(string redirect)
    {
        await using var scenario = await Scenario.StartAsync();
        scenario.Environment["HUBSPOT_KEY"] = "pat-na1-this-token-is-fake-and-wrong";

        var run = (await scenario.RunAsync([], whileRunning: null, shellRedirect: redirect)).ShouldExitWith(1);

        Assert.Equal("", run.Stderr);
        Assert.DoesNotContain("   at ", run.Stdout, StringComparison.Ordinal);
        Assert.Single(scenario.HubSpot.Requests);
    }
}

/// <summary>Ctrl+C, SIGTERM and SIGHUP (the terminal closed) stop the run promptly wherever it is waiting.</summary>
public sealed class CancellationTests
{
    [Theory]
    [InlineData(Posix.SIGINT)]
    [InlineData(Posix.SIGTERM)]
    [InlineData(Posix.SIGHUP)]
    public async Task ASignalDuringASlowSearchExitsPromptlyWith130AndReportsTheContact(int signal)
    {
        await using var scenario = await Scenario.StartAsync();
        scenario.HubSpot.Inject(Route.SearchCompanies, Fault.Slow(TimeSpan.FromSeconds(20)));
        var (run, toExit) = await scenario.RunAndSignalAsync(signal,
            when: () => scenario.HubSpot.Requests.Any(r => r.Route == Route.SearchCompanies), after: TimeSpan.Zero);

        run.ShouldExitWith(130);
        Assert.True(toExit < TimeSpan.FromSeconds(1), $"The app took {toExit.TotalMilliseconds:0} ms to stop.{Environment.NewLine}{run}");
        var contact = Assert.Single(scenario.HubSpot.Contacts);
        Assert.Equal(
            $"Cancelled.\nSo far: contact {contact.Id} created, no company yet. Running again is safe: it reuses what exists and creates only what is missing.\n",
            run.Stderr.ReplaceLineEndings("\n"));
        Assert.Empty(scenario.HubSpot.Companies);
    }

    [Fact]
    public async Task CtrlCWhileTheCompanyCreateIsOnItsWaySaysItMayBeStoredAndARerunAMinuteLaterMakesNoSecond()
    {
        await using var scenario = await Scenario.StartAsync();
        // HubSpot finishes the create after the app has gone.
        scenario.HubSpot.Inject(Route.CreateCompany, Fault.StoreSlowly(TimeSpan.FromSeconds(2)));
        var (run, toExit) = await scenario.RunAndSignalAsync(Posix.SIGINT,
            when: () => scenario.HubSpot.Requests.Any(r => r.Route == Route.CreateCompany), after: TimeSpan.Zero);

        run.ShouldExitWith(130);
        Assert.True(toExit < TimeSpan.FromSeconds(1), $"The app took {toExit.TotalMilliseconds:0} ms to stop.{Environment.NewLine}{run}");
        Expect.OneClearFailure(run, "Cancelled while creating the company: HubSpot may have stored it. Run again in a minute");
        Assert.EndsWith("So far: contact 37765128902 created, the company perhaps stored.\n", run.Stderr.ReplaceLineEndings("\n"), StringComparison.Ordinal);
        Assert.DoesNotContain("no company yet", run.Stderr, StringComparison.Ordinal);
        for (var waited = 0; scenario.HubSpot.Companies.Count == 0 && waited < 100; waited++)
        {
            await Task.Delay(100, TestContext.Current.CancellationToken);
        }

        (await scenario.RunAsync()).ShouldExitWith(0);

        Expect.Converged(scenario);
        Assert.Single(scenario.HubSpot.Companies);
        Assert.Single(scenario.HubSpot.Requests, r => r.Route == Route.CreateCompany);
    }

    [Fact]
    public async Task CtrlCDuringARetryWaitExitsPromptlyWith130()
    {
        await using var scenario = await Scenario.StartAsync();
        scenario.HubSpot.Inject(Route.CreateContact, Fault.RateLimited(retryAfterSeconds: 30));
        var (run, toExit) = await scenario.RunAndSignalAsync(Posix.SIGINT,
            when: () => scenario.HubSpot.Requests.Count > 0, after: TimeSpan.FromMilliseconds(300));

        run.ShouldExitWith(130);
        Assert.True(toExit < TimeSpan.FromSeconds(1), $"The app took {toExit.TotalMilliseconds:0} ms to stop.{Environment.NewLine}{run}");
        Assert.Single(scenario.HubSpot.Requests);
        Assert.Empty(scenario.HubSpot.Contacts);
        Assert.Contains("So far: no contact yet, no company yet.", run.Stderr, StringComparison.Ordinal);
    }
}
