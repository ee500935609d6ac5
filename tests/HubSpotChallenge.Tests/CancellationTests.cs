using FakeHubSpot;

using Xunit;

namespace HubSpotChallenge.Tests;

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

    [Theory]
    [InlineData(Posix.SIGINT)]
    [InlineData(Posix.SIGTERM)]
    public async Task ADotEnvThatIsANamedPipeNoOneWritesStillEndsOnASignal(int signal)
    {
        Posix.Require("a named pipe");
        await using var scenario = await Scenario.StartAsync();
        Posix.CreateFifo(Path.Combine(scenario.Directory, ".env"));

        var (run, _) = await scenario.RunAndSignalAsync(signal, when: () => true, after: TimeSpan.FromSeconds(1));

        run.ShouldExitWith(130);
        Assert.StartsWith("Cancelled.", run.Stderr, StringComparison.Ordinal);
        Assert.Empty(scenario.HubSpot.Requests);
    }

    [Fact]
    public async Task CtrlCWhileAHugeDotEnvIsParsedEndsADryRunWith130()
    {
        Posix.Require("signals sent through libc");
        await using var scenario = await Scenario.StartAsync();
        // Parsing it takes DotNetEnv many seconds.
        scenario.WriteDotEnv(string.Concat(Enumerable.Repeat("A=1\n", 1_000_000)));

        var run = await scenario.RunAsync(["--dry-run"], async process =>
        {
            await Task.Delay(TimeSpan.FromSeconds(1.5), TestContext.Current.CancellationToken);
            Posix.Send(process.Id, Posix.SIGINT);
        });

        run.ShouldExitWith(130);
        Assert.Equal("Cancelled.", run.Stderr.ReplaceLineEndings("\n").Split('\n')[0]);
        Assert.Equal("", run.Stdout);
    }

    [Fact]
    public async Task CtrlCWhileTheCompanyCreateIsOnItsWaySaysItMayBeStoredAndARerunAMinuteLaterMakesNoSecond()
    {
        await using var scenario = await Scenario.StartAsync();
        // HubSpot finishes the create after the app has gone.
        scenario.HubSpot.Inject(Route.CreateCompany, Fault.Slow(TimeSpan.FromSeconds(2), storesAnyway: true));
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
