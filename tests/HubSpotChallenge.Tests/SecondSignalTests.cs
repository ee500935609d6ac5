using FakeHubSpot;

using Xunit;

namespace HubSpotChallenge.Tests;

/// <summary>A second Ctrl+C while the app is on its way out: the signal handlers live until the process ends.</summary>
public sealed class SecondSignalTests
{
    [Theory]
    // The second signal can land while the app is on its way out; a few timings make that likely.
    [InlineData(0)]
    [InlineData(2)]
    [InlineData(5)]
    [InlineData(10)]
    public async Task ASecondCtrlCRightAfterTheFirstStillEndsWithBothLinesAnd130(int gapMilliseconds)
    {
        await using var scenario = await Scenario.StartAsync();
        scenario.HubSpot.Inject(Route.CreateCompany, Fault.Slow(TimeSpan.FromSeconds(20)));
        var (run, _) = await scenario.RunAndSignalAsync(Posix.SIGINT,
            when: () => scenario.HubSpot.Requests.Any(r => r.Route == Route.CreateCompany), after: TimeSpan.Zero,
            secondAfter: TimeSpan.FromMilliseconds(gapMilliseconds));

        run.ShouldExitWith(130);
        Expect.OneClearFailure(run, "Cancelled while creating the company: HubSpot may have stored it.");
    }
}
