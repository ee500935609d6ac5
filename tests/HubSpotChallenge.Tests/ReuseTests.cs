using System.Text.Json.Nodes;

using FakeHubSpot;

using Xunit;

namespace HubSpotChallenge.Tests;

/// <summary>What exists is reused, not created again: a re-run, a contact that exists, the oldest of several companies.</summary>
public sealed class ReuseTests
{
    [Fact]
    public async Task ARerunRightAfterASuccessfulRunCreatesNothingAlthoughSearchHasNotCaughtUp()
    {
        await using var scenario = await Scenario.StartAsync();
        Assert.True(scenario.HubSpot.SearchLag >= TimeSpan.FromSeconds(2), "The fake's search should lag writes by seconds.");
        (await scenario.RunAsync()).ShouldExitWith(0);
        var firstRun = scenario.HubSpot.Requests.Count;

        var rerun = (await scenario.RunAsync()).ShouldExitWith(0);

        Expect.Converged(scenario);
        Assert.Single(scenario.HubSpot.Companies);
        Assert.Equal(
            [Route.CreateContact, Route.ReadContact, Route.ReadCompanies, Route.AssociateDefault],
            Expect.Routes(scenario).Skip(firstRun));
        Assert.Contains($"Company {scenario.HubSpot.Companies[0].Id} already existed", rerun.Stdout, StringComparison.Ordinal);
        Assert.Contains("Done: 4 requests", rerun.Stdout, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Contact already exists. Existing ID: 123456789012345678")]
    [InlineData("Contact already exists.")]
    public async Task AConflictIsResolvedByReadingTheContactByEmailNotByTheIdInHubSpotsProse(string message)
    {
        await using var scenario = await Scenario.StartAsync();
        var existing = scenario.HubSpot.SeedContact("ada.lovelace@example.com", "Ada", "Lovelace", id: "123456789012345678");
        scenario.HubSpot.Inject(Route.CreateContact, Fault.Respond(409,
            $$"""{"status":"error","message":"{{message}}","correlationId":"cccc3333-0000-0000-0000-000000000409","category":"CONFLICT"}"""));

        var run = (await scenario.RunAsync()).ShouldExitWith(0);

        Expect.Converged(scenario);
        Assert.Equal(existing.Id, Assert.Single(scenario.HubSpot.Associations).ContactId);
        var read = Assert.Single(scenario.HubSpot.Requests, r => r.Route == Route.ReadContact);
        Assert.Equal(("/crm/objects/2026-09/contacts/ada.lovelace@example.com", "?idProperty=email&associations=companies"), (read.Path, read.Query));
        Assert.Contains("Contact 123456789012345678 already existed", run.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ASearchHitWithAnotherDomainIsNotReused()
    {
        await using var scenario = await Scenario.StartAsync();
        scenario.HubSpot.Inject(Route.SearchCompanies, Fault.Reshaped(answer =>
        {
            answer["total"] = 1;
            answer["results"] = new JsonArray(JsonNode.Parse($$"""
                {"id":"999","properties":{"name":"{{Expect.CompanyName}}","domain":"coding-challenge-company.com.example.org","hs_object_id":"999"},
                 "createdAt":"2020-01-01T00:00:00Z","updatedAt":"2020-01-01T00:00:00Z","archived":false}
                """));
            return answer;
        }));

        var run = (await scenario.RunAsync()).ShouldExitWith(0);

        var company = Assert.Single(scenario.HubSpot.Companies);
        Assert.Equal(Expect.Domain, company["domain"]);
        Assert.Equal(company.Id, Assert.Single(scenario.HubSpot.Associations).CompanyId);
        Assert.DoesNotContain("999", run.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TheOldestOfSeveralMatchesIsReusedEvenBeyondTheFirstPage()
    {
        await using var scenario = await Scenario.StartAsync();
        var now = DateTimeOffset.UtcNow;
        for (var i = 0; i < 120; i++)
        {
            scenario.HubSpot.SeedCompany(Expect.CompanyName, Expect.Domain, now.AddDays(-i), id: $"{5000 + i}");
        }

        var oldest = scenario.HubSpot.SeedCompany(Expect.CompanyName, Expect.Domain, now.AddDays(-365), id: "4000");

        var run = (await scenario.RunAsync()).ShouldExitWith(0);

        Assert.DoesNotContain(Route.CreateCompany, Expect.Routes(scenario));
        Assert.Equal(oldest.Id, Assert.Single(scenario.HubSpot.Associations).CompanyId);
        Assert.Contains($"Company {oldest.Id} already existed", run.Stdout, StringComparison.Ordinal);
    }
}
