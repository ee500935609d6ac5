using FakeHubSpot;

using Xunit;

namespace HubSpotChallenge.Tests;

/// <summary>No answer within 30 s is tried again. A class of its own, so that its 30 s wait runs beside the others.</summary>
public sealed class TimeoutTests
{
    [Fact]
    public async Task ASlowAnswerPastTheTimeoutIsRetried()
    {
        await using var scenario = await Scenario.StartAsync();
        scenario.HubSpot.Inject(Route.AssociateDefault, Fault.Slow(TimeSpan.FromSeconds(40)));

        var run = (await scenario.RunAsync()).ShouldExitWith(0);

        Expect.Converged(scenario);
        Assert.Equal(2, scenario.HubSpot.Requests.Count(r => r.Route == Route.AssociateDefault));
        Assert.Contains("Associating the contact with the company: no answer within 30 s; trying again in ", run.Stdout, StringComparison.Ordinal);
    }
}
