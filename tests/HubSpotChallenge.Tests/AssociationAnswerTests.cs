using System.Text.Json.Nodes;

using FakeHubSpot;

using Xunit;

namespace HubSpotChallenge.Tests;

/// <summary>The association is done only when HubSpot says COMPLETE.</summary>
public sealed class AssociationAnswerTests
{
    [Fact]
    public async Task ACanceledAssociationExitsWith1WithHubSpotsMessage()
    {
        await using var scenario = await Scenario.StartAsync();
        scenario.HubSpot.Inject(Route.AssociateDefault, Fault.AssociationStatus("CANCELED", error: "Association limit reached"));

        var run = (await scenario.RunAsync()).ShouldExitWith(1);

        var (contact, company) = (scenario.HubSpot.Contacts[0].Id, scenario.HubSpot.Companies[0].Id);
        Expect.OneClearFailure(run,
            $"HubSpot did not confirm that contact {contact} is associated with company {company} (CANCELED: Association limit reached). Run again in a minute, or associate them in HubSpot by hand.");
        Assert.DoesNotContain("associated with company", run.Stdout, StringComparison.Ordinal);
    }

    [Theory]
    // Any status but COMPLETE, as CANCELED above.
    [InlineData("PENDING")]
    public async Task AnAssociationThatIsNotCompleteIsNotTakenForDone(string status)
    {
        await using var scenario = await Scenario.StartAsync();
        var company = scenario.HubSpot.SeedCompany(Expect.CompanyName, Expect.Domain, DateTimeOffset.UtcNow.AddDays(-1));
        scenario.HubSpot.Inject(Route.AssociateDefault, Fault.AssociationStatus(status));

        var run = (await scenario.RunAsync()).ShouldExitWith(1);

        Assert.Empty(scenario.HubSpot.Associations);
        Assert.Equal([Route.CreateContact, Route.SearchCompanies, Route.AssociateDefault], Expect.Routes(scenario));
        Expect.OneClearFailure(run, $"is associated with company {company.Id} ({status}). Run again in a minute");
        Assert.Contains($"company {company.Id} already existed", run.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("associated with company", run.Stdout, StringComparison.Ordinal);
    }
}
