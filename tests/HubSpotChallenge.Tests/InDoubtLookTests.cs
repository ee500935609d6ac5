using FakeHubSpot;

using Xunit;

namespace HubSpotChallenge.Tests;

/// <summary>The look 5 s after a company create in doubt finds what HubSpot stored.</summary>
public sealed class InDoubtLookTests
{
    [Fact]
    public async Task ALostAnswerAfterHubSpotStoredTheCompanyIsFoundByTheLookFiveSecondsLater()
    {
        await using var world = await World.StartAsync();
        world.HubSpot.Inject(Route.CreateCompany, Fault.Presets["lost-answer-after-storing"].Fault);

        var run = (await world.RunAsync()).ShouldExitWith(0);

        Assert.Contains("Company 20185735002 created", run.Stdout, StringComparison.Ordinal);
        Assert.Single(world.HubSpot.Requests, r => r.Route == Route.CreateCompany);
        var look = world.HubSpot.Requests.Single(r => r.Route == Route.ReadContact).At;
        var create = world.HubSpot.Requests.Single(r => r.Route == Route.CreateCompany).At;
        Assert.InRange((look - create).TotalSeconds, 5, 7);
        world.ShouldHaveConverged();
    }
}
