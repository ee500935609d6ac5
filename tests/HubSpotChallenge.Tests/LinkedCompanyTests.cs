using System.Text.Json.Nodes;

using FakeHubSpot;

using Xunit;

namespace HubSpotChallenge.Tests;

/// <summary>The contact's own companies are read first: a linked company is ours only if its domain is, and gone only if
/// HubSpot says so.</summary>
public sealed class LinkedCompanyTests
{
    [Fact]
    public async Task ALinkedCompanyTheBatchReadLeavesOutIsNotTakenAsGoneSoNoSecondIsCreated()
    {
        await using var scenario = await Scenario.StartAsync();
        (await scenario.RunAsync()).ShouldExitWith(0);
        scenario.HubSpot.Inject(Route.ReadCompanies, Fault.Respond(200, """{"status":"COMPLETE","results":[],"startedAt":"2026-12-01T00:00:00Z","completedAt":"2026-12-01T00:00:00Z"}"""));

        var run = (await scenario.RunAsync()).ShouldExitWith(1);

        Expect.OneClearFailure(run, "HubSpot answered 200 while reading the contact's companies without what the program needs (a company it could not read)");
        Assert.Single(scenario.HubSpot.Companies);
    }

    [Theory]
    [InlineData(200)]
    [InlineData(207)]
    public async Task ALinkedCompanyTheBatchReadCouldNotReadIsNotTakenAsGoneSoNoSecondIsCreated(int status)
    {
        await using var scenario = await Scenario.StartAsync();
        (await scenario.RunAsync()).ShouldExitWith(0);
        var company = Assert.Single(scenario.HubSpot.Companies);
        scenario.HubSpot.Inject(Route.ReadCompanies, Fault.Respond(status, $$"""
            {"status":"COMPLETE","results":[],"numErrors":1,"errors":[{"status":"error","category":"INTERNAL_ERROR",
             "message":"Could not read some COMPANY objects.","context":{"ids":["{{company.Id}}"]} }],
             "startedAt":"2026-12-01T00:00:00Z","completedAt":"2026-12-01T00:00:00Z"}
            """));

        var run = (await scenario.RunAsync()).ShouldExitWith(1);

        Expect.OneClearFailure(run, $"HubSpot answered {status} while reading the contact's companies without what the program needs (a company it could not read)");
        Assert.Single(scenario.HubSpot.Companies);
        Assert.Equal([Route.CreateContact, Route.ReadContact, Route.ReadCompanies], Expect.Routes(scenario)[4..]);
    }

    [Fact]
    public async Task AnExistingContactsCompanyIsFoundThroughItsAssociationsAndAnotherDomainIsSkipped()
    {
        await using var scenario = await Scenario.StartAsync();
        var contact = scenario.HubSpot.SeedContact("ada.lovelace@example.com", "Ada", "Lovelace");
        var other = scenario.HubSpot.SeedCompany("Example", "example.com", DateTimeOffset.UtcNow.AddDays(-90));
        var ours = scenario.HubSpot.SeedCompany(Expect.CompanyName, Expect.Domain, DateTimeOffset.UtcNow, indexed: false);
        scenario.HubSpot.SeedAssociation(contact.Id, other.Id);
        scenario.HubSpot.SeedAssociation(contact.Id, ours.Id);

        var run = (await scenario.RunAsync()).ShouldExitWith(0);

        Assert.Equal([Route.CreateContact, Route.ReadContact, Route.ReadCompanies, Route.AssociateDefault], Expect.Routes(scenario));
        Assert.Equal(2, scenario.HubSpot.Companies.Count);
        Assert.Contains($"Company {ours.Id} already existed", run.Stdout, StringComparison.Ordinal);
        var batch = scenario.HubSpot.Requests[2].Json!;
        Assert.Equal([other.Id, ours.Id], batch["inputs"]!.AsArray().Select(i => i!["id"]!.GetValue<string>()).Order(StringComparer.Ordinal));
    }
}
