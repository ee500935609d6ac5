using FakeHubSpot;

using Xunit;

namespace HubSpotChallenge.Tests;

/// <summary>A second Ctrl+C while the app is on its way out: the signal handlers live until the process ends. A class
/// of its own, so that its twenty runs go beside the other classes.</summary>
public sealed class SecondSignalTests
{
    [Fact]
    public async Task ASecondCtrlCRightAfterTheFirstStillEndsWithBothLinesAnd130()
    {
        // The second signal can land while the app is on its way out; a few timings make that likely.
        for (var gap = 0; gap < 20; gap++)
        {
            await using var scenario = await Scenario.StartAsync();
            scenario.HubSpot.Inject(Route.CreateCompany, Fault.Slow(TimeSpan.FromSeconds(20)));
            var (run, _) = await scenario.RunAndSignalAsync(Posix.SIGINT,
                when: () => scenario.HubSpot.Requests.Any(r => r.Route == Route.CreateCompany), after: TimeSpan.Zero,
                secondAfter: TimeSpan.FromMilliseconds(gap));

            run.ShouldExitWith(130);
            Expect.OneClearFailure(run, "Cancelled while creating the company: HubSpot may have stored it.");
        }
    }
}
