using System.Text.Json.Nodes;

using FakeHubSpot;

using Xunit;

namespace HubSpotChallenge.Tests;

/// <summary>The job itself: a fresh portal, a re-run, the requests HubSpot receives, the pace.</summary>
public sealed class RunTests
{
    [Fact]
    public async Task AFreshRunAndARerunRightAfterItPrintWhatTheReadmeShowsInFourRequestsEach()
    {
        await using var world = await World.StartAsync();
        var host = world.HubSpot.BaseUrl.Authority;

        var first = (await world.RunAsync()).ShouldExitWith(0);
        // Right after: the search has not caught up, so the company is found through the contact.
        var second = (await world.RunAsync()).ShouldExitWith(0);

        Assert.Equal($"""
            Contact 37765128902 created: Ada Lovelace <ada.lovelace@example.com>
            Company 20185735002 created: {World.Company} ({World.Domain})
            Contact 37765128902 associated with company 20185735002.
            Done: 4 requests to {host}.

            """.ReplaceLineEndings("\n"), first.Stdout);
        Assert.Equal(first.Stdout.Replace(" created", " already existed", StringComparison.Ordinal), second.Stdout);
        Assert.Equal("", first.Stderr + second.Stderr);
        Assert.Equal([Route.CreateContact, Route.SearchCompanies, Route.CreateCompany, Route.Associate,
            Route.CreateContact, Route.ReadContact, Route.ReadCompanies, Route.Associate], world.Routes);
        world.ShouldHaveConverged();
    }

    [Fact]
    public async Task EachRequestIsWhatHubSpotsSchemaAsksWithTheBearerToken()
    {
        await using var world = await World.StartAsync();
        world.Environment["FIRSTNAME"] = "Łukasz";
        world.Environment["LASTNAME"] = "Ødegård-Weiß";

        (await world.RunAsync()).ShouldExitWith(0);
        (await world.RunAsync()).ShouldExitWith(0);

        var requests = world.HubSpot.Requests;
        Assert.All(requests, r => Assert.Equal($"Bearer {FakeHubSpotServer.Token}", r.Authorization));
        Assert.Equal("/crm/objects/2026-09/contacts", requests[0].Url);
        Json("""
            {"properties":{"email":"lukasz.odegardweiss@example.com","firstname":"Łukasz","lastname":"Ødegård-Weiß"},
             "associations":[]}
            """, requests[0].Body);
        Json($$"""
            {"filterGroups":[{"filters":[{"propertyName":"domain","operator":"EQ","value":"{{World.Domain}}"}]}],
             "properties":["domain"],"sorts":[{"propertyName":"createdate","direction":"ASCENDING"}],"after":"0","limit":100}
            """, requests[1].Body);
        Json($$"""
            {"properties":{"name":"{{World.Company}}","domain":"{{World.Domain}}"},
             "associations":[{"to":{"id":"37765128902"},"types":[{"associationCategory":"HUBSPOT_DEFINED","associationTypeId":280}]}]}
            """, requests[2].Body);
        Assert.Equal("/crm/objects/2026-09/contacts/37765128902/associations/default/companies/20185735002", requests[3].Url);
        Assert.Equal("/crm/objects/2026-09/contacts/lukasz.odegardweiss@example.com?idProperty=email&associations=companies",
            requests[5].Url);
        Json("""{"inputs":[{"id":"20185735002"}],"properties":["domain"],"propertiesWithHistory":[]}""", requests[6].Body);
    }

    [Fact]
    public async Task ConsecutiveRequestsArriveAtLeast200MillisecondsApart()
    {
        await using var world = await World.StartAsync();

        (await world.RunAsync()).ShouldExitWith(0);
        (await world.RunAsync()).ShouldExitWith(0);

        var times = world.HubSpot.Requests.Select(r => r.At).ToList();
        Assert.All(times.Zip(times.Skip(1)), pair => Assert.True(pair.Second - pair.First >= TimeSpan.FromMilliseconds(195),
            $"{(pair.Second - pair.First).TotalMilliseconds} ms apart"));
    }

    [Fact]
    public async Task AnExistingContactsCompanyIsFoundThroughItsAssociationsAndAnotherDomainIsSkipped()
    {
        await using var world = await World.StartAsync();
        var contact = world.HubSpot.SeedContact(new() { ["email"] = "ada.lovelace@example.com" });
        var other = world.HubSpot.SeedCompany("coding-challenge-company.com.example", DateTimeOffset.UtcNow.AddDays(-2));
        var ours = world.HubSpot.SeedCompany(World.Domain.ToUpperInvariant(), DateTimeOffset.UtcNow.AddDays(-1));
        world.HubSpot.SeedLink(contact.Id, other.Id);
        world.HubSpot.SeedLink(contact.Id, ours.Id);

        var run = (await world.RunAsync()).ShouldExitWith(0);

        Assert.Contains($"Company {ours.Id} already existed", run.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain(Route.SearchCompanies, world.Routes);
        Assert.Equal(2, world.HubSpot.Companies.Count);
    }

    [Fact]
    public async Task TheOldestCompanyWithOurDomainIsReusedWhenTheContactHasNone()
    {
        await using var world = await World.StartAsync();
        world.HubSpot.SeedContact(new() { ["email"] = "ada.lovelace@example.com" });
        world.HubSpot.SeedCompany(World.Domain, DateTimeOffset.UtcNow.AddDays(-1));
        var oldest = world.HubSpot.SeedCompany(World.Domain, DateTimeOffset.UtcNow.AddDays(-3));
        world.HubSpot.SeedCompany("example.com", DateTimeOffset.UtcNow.AddDays(-9));

        var run = (await world.RunAsync()).ShouldExitWith(0);

        Assert.Contains($"Company {oldest.Id} already existed", run.Stdout, StringComparison.Ordinal);
        Assert.Equal([Route.CreateContact, Route.ReadContact, Route.SearchCompanies, Route.Associate], world.Routes);
    }

    [Fact]
    public async Task AnEmailThatIsAnotherContactsSecondaryEmailReusesThatContactByTheIdTheConflictNamed()
    {
        await using var world = await World.StartAsync();
        var contact = world.HubSpot.SeedContact(new()
        {
            ["email"] = "ada@analytical.example",
            ["hs_additional_emails"] = "ada.lovelace@example.com",
        });

        var run = (await world.RunAsync()).ShouldExitWith(0);

        Assert.Contains($"Contact {contact.Id} already existed", run.Stdout, StringComparison.Ordinal);
        Assert.Equal([Route.CreateContact, Route.ReadContact, Route.ReadContact, Route.SearchCompanies,
            Route.CreateCompany, Route.Associate], world.Routes);
        Assert.StartsWith($"/crm/objects/2026-09/contacts/{contact.Id}?", world.HubSpot.Requests[2].Url, StringComparison.Ordinal);
        Assert.Single(world.HubSpot.Contacts);
    }

    [Fact]
    public async Task ALinkedCompanyThatIsGoneIsSkippedButOneHubSpotCouldNotReadStopsTheRun()
    {
        await using var world = await World.StartAsync();
        var contact = world.HubSpot.SeedContact(new() { ["email"] = "ada.lovelace@example.com" });
        world.HubSpot.SeedLink(contact.Id, "20185735999");

        var gone = (await world.RunAsync()).ShouldExitWith(0);
        world.HubSpot.Inject(Route.ReadCompanies, new(200, """
            {"status":"COMPLETE","results":[],"errors":[{"status":"error","category":"INTERNAL_ERROR",
             "message":"Could not read some COMPANY objects.","context":{"ids":["20185735002"]}}]}
            """));
        var failed = await world.RunAsync();

        Assert.Contains("Company 20185735002 created", gone.Stdout, StringComparison.Ordinal);
        failed.ShouldFailWith(1, "INTERNAL_ERROR", "Could not read some COMPANY objects.", "Run again in a minute");
        Assert.Single(world.HubSpot.Companies);
    }

    static void Json(string expected, string actual) =>
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(expected), JsonNode.Parse(actual)), $"Got {actual}");
}
