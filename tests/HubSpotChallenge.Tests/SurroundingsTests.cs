using FakeHubSpot;

using Xunit;

namespace HubSpotChallenge.Tests;

/// <summary>Streams that cannot be written: the run still finishes what it started, and ends without a stack trace.</summary>
public sealed class SurroundingsTests
{
    [Theory]
    [InlineData(">/dev/full")]
    [InlineData(">&-")]
    public async Task StandardOutputThatCannotBeWrittenStillFinishesTheRunAndExitsWith1(string redirect)
    {
        await using var scenario = await Scenario.StartAsync();

        var run = (await scenario.RunAsync([], whileRunning: null, shellRedirect: redirect)).ShouldExitWith(1);

        Expect.Converged(scenario);
        var line = Assert.Single(run.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("Standard output could not be written (", line, StringComparison.Ordinal);
        Assert.Contains($"contact {scenario.HubSpot.Contacts[0].Id} created", line, StringComparison.Ordinal);
        Assert.Contains("associated", line, StringComparison.Ordinal);
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

    [Fact]
    public async Task HelpToAFullDiskExitsWith1()
    {
        await using var scenario = await Scenario.StartAsync();

        var run = (await scenario.RunAsync(["--help"], whileRunning: null, shellRedirect: ">/dev/full")).ShouldExitWith(1);

        Assert.StartsWith("Standard output could not be written", run.Stderr, StringComparison.Ordinal);
    }
}

/// <summary>Ctrl+C, SIGTERM and SIGHUP (the terminal closed) stop the run promptly wherever it is waiting.</summary>
public sealed class CancellationTests
{
    [Theory]
    [InlineData(Posix.SIGINT)]
    [InlineData(Posix.SIGTERM)]
    [InlineData(Posix.SIGHUP)]
    public async Task ASignalDuringASlowRequestExitsPromptlyWith130AndReportsTheContact(int signal)
    {
        await using var scenario = await Scenario.StartAsync();
        scenario.HubSpot.Inject(Route.CreateCompany, Fault.Slow(TimeSpan.FromSeconds(20)));
        var (run, toExit) = await scenario.RunAndSignalAsync(signal,
            when: () => scenario.HubSpot.Requests.Any(r => r.Route == Route.CreateCompany), after: TimeSpan.Zero);

        run.ShouldExitWith(130);
        Assert.True(toExit < TimeSpan.FromSeconds(1), $"The app took {toExit.TotalMilliseconds:0} ms to stop.{Environment.NewLine}{run}");
        var contact = Assert.Single(scenario.HubSpot.Contacts);
        Assert.Equal(
            $"Cancelled.\nSo far: contact {contact.Id} created, no company yet. Running again is safe: it reuses what exists and creates only what is missing.\n",
            run.Stderr.ReplaceLineEndings("\n"));
        Assert.Empty(scenario.HubSpot.Companies);
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
