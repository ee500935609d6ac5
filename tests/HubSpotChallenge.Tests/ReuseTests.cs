using System.Text.Json.Nodes;

using FakeHubSpot;

using Xunit;

namespace HubSpotChallenge.Tests;

/// <summary>Safe to run again: what exists is found, through the contact first, and reused.</summary>
public sealed class ReuseTests
{
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
}
