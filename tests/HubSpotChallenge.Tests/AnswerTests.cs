using FakeHubSpot;

using Xunit;

namespace HubSpotChallenge.Tests;

/// <summary>What an answer must hold to count: COMPLETE, the records the program needs, no redirect.</summary>
public sealed class AnswerTests
{
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
