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
    public async Task ConsecutiveRequestsArriveAtLeast200MillisecondsApartRetriesIncluded()
    {
        await using var world = await World.StartAsync();
        world.HubSpot.Inject(Route.CreateContact, Fault.RateLimit("TEN_SECONDLY_ROLLING", retryAfter: 0));

        (await world.RunAsync()).ShouldExitWith(0);
        (await world.RunAsync()).ShouldExitWith(0);

        var times = world.HubSpot.Requests.Select(r => r.At).ToList();
        var gaps = times.Zip(times.Skip(1), (before, after) => after - before);
        Assert.All(gaps, gap => Assert.True(gap >= TimeSpan.FromMilliseconds(195), $"{gap.TotalMilliseconds} ms apart"));
    }

    [Fact]
    public async Task ControlCharactersInANameAreShownAsTheirCodesSoThatTheLineStaysOneLine()
    {
        await using var world = await World.StartAsync();
        world.Environment["FIRSTNAME"] = "Ada\u001b[2J";
        world.Environment["LASTNAME"] = "Love\u009blace\u007f";

        var run = (await world.RunAsync()).ShouldExitWith(0);

        Assert.StartsWith("Contact 37765128902 created: Ada\\u001B[2J Love\\u009Blace\\u007F <ada2j.lovelace@example.com>\n",
            run.Stdout, StringComparison.Ordinal);
    }

    static void Json(string expected, string actual) =>
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(expected), JsonNode.Parse(actual)), $"Got {actual}");
}
