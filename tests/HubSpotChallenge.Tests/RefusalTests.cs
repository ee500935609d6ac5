using FakeHubSpot;

using Xunit;

namespace HubSpotChallenge.Tests;

/// <summary>What trying again cannot mend: one attempt, one line naming the cause and the fix.</summary>
public sealed class RefusalTests
{
    [Fact]
    public async Task AWrongTokenIsTriedOnceAndPointsAtHubSpotKey()
    {
        await using var world = await World.StartAsync();
        world.Environment["HUBSPOT_KEY"] = "pat-na1-00000000-0000-0000-0000-000000000000";

        var run = await world.RunAsync();

        run.ShouldFailWith(1, "HubSpot answered 401 INVALID_AUTHENTICATION while creating the contact: Authentication " +
            "credentials not found. Check HUBSPOT_KEY", "(correlation id ");
        Assert.Single(world.HubSpot.Requests);
    }

    [Fact]
    public async Task AMissingScopeNamesTheScopesHubSpotListsAndWhatExists()
    {
        await using var world = await World.StartAsync();
        world.HubSpot.Inject(Route.SearchCompanies, new(403, """
            {"status":"error","message":"This app hasn't been granted all required scopes to make this call.",
             "correlationId":"ef7dcedf-5d9c-4dc5-b865-bffdaf866a7e","category":"MISSING_SCOPES",
             "errors":[{"message":"One or more of the following scopes are required.",
               "context":{"requiredGranularScopes":["crm.objects.companies.read"]}}]}
            """));

        var run = await world.RunAsync();

        var line = run.ShouldFailWith(1, "HubSpot answered 403 MISSING_SCOPES while searching for the company",
            "Grant the token crm.objects.companies.read, then run again.", "ef7dcedf-5d9c-4dc5-b865-bffdaf866a7e");
        Assert.DoesNotContain("contacts", line, StringComparison.Ordinal);
        Assert.Contains("So far: contact 37765128902 created, no company yet. Running again is safe", run.Stderr,
            StringComparison.Ordinal);
    }

    [Fact]
    public async Task ABadRequestShowsHubSpotsMessageAndNamesThePortalsRequiredProperties()
    {
        await using var world = await World.StartAsync();
        world.HubSpot.Inject(Route.CreateCompany, Fault.Error(400, "VALIDATION_ERROR",
            "Property values were not valid: [{\"isValid\":false,\"message\":\"industry is required\"}]"));

        var run = await world.RunAsync();

        run.ShouldFailWith(1, "HubSpot answered 400 VALIDATION_ERROR while creating the company: Property values were " +
            "not valid: [{\"isValid\":false,\"message\":\"industry is required\"}].", "a property your portal requires");
        Assert.Single(world.HubSpot.Requests, r => r.Route == Route.CreateCompany);
    }

    [Fact]
    public async Task ATokenQuotedInHubSpotsMessageIsHiddenAndAControlCharacterCannotStartALine()
    {
        await using var world = await World.StartAsync();
        world.HubSpot.Inject(Route.CreateContact, Fault.Error(400, "VALIDATION_ERROR",
            $"Bad header Bearer {FakeHubSpotServer.Token}\nDone: nothing is wrong.\u001b[2J\u009b\u007f"));

        var run = await world.RunAsync();

        run.ShouldFailWith(1, "Bad header Bearer (hidden)\\u000ADone: nothing is wrong.\\u001B[2J\\u009B\\u007F");
    }
}
