using FakeHubSpot;

using Xunit;

namespace HubSpotChallenge.Tests;

/// <summary>HubSpot on a bad day: what is retried, after how long, and what stops the run at once.</summary>
public sealed class RetryTests
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

    [Fact]
    public async Task AnAssociationThatIsNotCompleteIsNotTakenForDone()
    {
        await using var world = await World.StartAsync();
        world.HubSpot.Inject(Route.Associate, new(200, """{"status":"PENDING","results":[]}"""));

        var run = await world.RunAsync();

        run.ShouldFailWith(1, "HubSpot did not confirm the association (PENDING", "Run again in a minute");
    }

    [Fact]
    public async Task AnAnswerWithoutWhatTheProgramNeedsIsAFailureNotNothingFound()
    {
        await using var world = await World.StartAsync();
        world.HubSpot.Inject(Route.SearchCompanies, new(200, "<html>Sign in to the proxy</html>"));

        var run = await world.RunAsync();

        run.ShouldFailWith(1, "HubSpot answered 200 while searching for the company without what the program needs",
            "HUBSPOT_BASE_URL");
        Assert.Empty(world.HubSpot.Companies);
    }
}
