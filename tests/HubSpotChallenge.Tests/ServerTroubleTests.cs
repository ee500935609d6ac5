using FakeHubSpot;

using Xunit;

namespace HubSpotChallenge.Tests;

/// <summary>HubSpot's server trouble and a dropped connection: tried again, and the run succeeds.</summary>
public sealed class ServerTroubleTests
{
    [Fact]
    public async Task ServerTroubleIsRetriedAfterAboutOneThenTwoSecondsAndTheRunSucceeds()
    {
        await using var world = await World.StartAsync();
        world.HubSpot.Inject(Route.CreateContact, Fault.Error(500, "INTERNAL_ERROR", "Internal error"), times: 2);

        var run = (await world.RunAsync()).ShouldExitWith(0);

        var tries = world.HubSpot.Requests.Where(r => r.Route == Route.CreateContact).Select(r => r.At).ToList();
        Assert.InRange((tries[1] - tries[0]).TotalSeconds, 0.8, 1.6);
        Assert.InRange((tries[2] - tries[1]).TotalSeconds, 1.6, 2.8);
        Assert.Contains("(attempt 3 of 4)", run.Stdout, StringComparison.Ordinal);
        world.ShouldHaveConverged();
    }

    [Fact]
    public async Task ADroppedConnectionOnTheAssociationIsRetried()
    {
        await using var world = await World.StartAsync();
        world.HubSpot.Inject(Route.Associate, new(Drops: true));

        (await world.RunAsync()).ShouldExitWith(0);

        Assert.Equal(2, world.Routes.Count(r => r == Route.Associate));
        world.ShouldHaveConverged();
    }
}
