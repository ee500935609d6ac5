using System.Text.Json.Nodes;

using FakeHubSpot;

using Xunit;

namespace HubSpotChallenge.Tests;

/// <summary>Safe to run again: what exists is found, through the contact first, and reused.</summary>
public sealed class ReuseTests
{
    [Fact]
    public async Task TheOldestOfOursAmongAnExistingContactsCompaniesIsReusedAndAnotherDomainIsSkipped()
    {
        await using var world = await World.StartAsync();
        var contact = world.HubSpot.SeedContact(new() { ["email"] = "ada.lovelace@example.com" });
        var newer = world.HubSpot.SeedCompany(World.Domain, DateTimeOffset.UtcNow.AddDays(-1));
        var other = world.HubSpot.SeedCompany($"www.{World.Domain}", DateTimeOffset.UtcNow.AddDays(-3));
        var ours = world.HubSpot.SeedCompany(World.Domain.ToUpperInvariant(), DateTimeOffset.UtcNow.AddDays(-2));
        foreach (var company in new[] { newer, other, ours })
        {
            world.HubSpot.SeedLink(contact.Id, company.Id);
        }

        var run = (await world.RunAsync()).ShouldExitWith(0);

        Assert.Contains($"Company {ours.Id} already existed", run.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain(Route.SearchCompanies, world.Routes);
        Assert.Equal(3, world.HubSpot.Companies.Count);
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
        var company = world.HubSpot.SeedCompany(World.Domain, DateTimeOffset.UtcNow.AddDays(-1));
        world.HubSpot.SeedLink(contact.Id, company.Id);

        var run = (await world.RunAsync()).ShouldExitWith(0);

        Assert.Contains($"Contact {contact.Id} already existed", run.Stdout, StringComparison.Ordinal);
        Assert.Contains($"Company {company.Id} already existed", run.Stdout, StringComparison.Ordinal);
        Assert.Equal([Route.CreateContact, Route.ReadContact, Route.ReadContact, Route.ReadCompanies,
            Route.Associate], world.Routes);
        var byId = world.HubSpot.Requests[2].Url;
        Assert.StartsWith($"/crm/objects/2026-09/contacts/{contact.Id}?", byId, StringComparison.Ordinal);
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
            {"status":"COMPLETE","results":[],"errors":[{"status":"error","category":"OBJECT_NOT_FOUND",
             "message":"Could not get some COMPANY objects.","context":{"ids":["20185735999"]}},
             {"status":"error","category":"INTERNAL_ERROR",
             "message":"Could not read some COMPANY objects.","context":{"ids":["20185735002"]}}]}
            """));
        var failed = await world.RunAsync();

        Assert.Contains("Company 20185735002 created", gone.Stdout, StringComparison.Ordinal);
        failed.ShouldFailWith(1, "INTERNAL_ERROR", "Could not read some COMPANY objects.", "Run again in a minute");
        Assert.Single(world.HubSpot.Companies);
    }
}
