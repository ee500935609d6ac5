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

    [Theory]
    [InlineData("""{"status":"PENDING","results":[]}""", "PENDING: no errors")]
    [InlineData("""{"status":"COMPLETE","results":[],"errors":[{"message":"Locked."}]}""", "COMPLETE: Locked.")]
    public async Task AnAssociationThatIsNotCompleteWithoutErrorsIsNotTakenForDone(string answer, string named)
    {
        await using var world = await World.StartAsync();
        world.HubSpot.Inject(Route.Associate, new(200, answer));

        var run = await world.RunAsync();

        run.ShouldFailWith(1, $"HubSpot did not confirm the association ({named}). Run again in a minute");
        Assert.Contains("So far: contact 37765128902 created, company 20185735002 created.", run.Stderr,
            StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(Route.SearchCompanies, 200, "<html>Sign in to the proxy</html>", "searching for the company")]
    [InlineData(Route.CreateContact, 201, "{}", "creating the contact")]
    public async Task AnAnswerWithoutWhatTheProgramNeedsIsAFailureNotNothingFound(Route route, int status, string body,
        string step)
    {
        await using var world = await World.StartAsync();
        world.HubSpot.Inject(route, new(status, body));

        var run = await world.RunAsync();

        run.ShouldFailWith(1, $"HubSpot answered {status} while {step} without what the program needs",
            "HUBSPOT_BASE_URL");
        Assert.Empty(world.HubSpot.Companies);
    }

    [Fact]
    public async Task ARedirectIsNotFollowed()
    {
        await using var world = await World.StartAsync();
        world.HubSpot.Inject(Route.CreateContact, new(302, Headers: new() { ["Location"] = "/crm/objects/2026-09/contacts" }));

        var run = await world.RunAsync();

        run.ShouldFailWith(1, "HubSpot answered 302 while creating the contact", "Check HUBSPOT_BASE_URL.");
        Assert.Single(world.HubSpot.Requests);
    }
}
