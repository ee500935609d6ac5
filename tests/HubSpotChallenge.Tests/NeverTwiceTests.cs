using System.Text.Json.Nodes;

using FakeHubSpot;

using Xunit;

namespace HubSpotChallenge.Tests;

/// <summary>
/// The README's "never twice" and "at most 4 attempts", against a fake whose search lags writes as HubSpot's does,
/// and whose answers carry the statuses HubSpot's schema allows.
/// </summary>
public sealed class NeverTwiceTests
{
    const string CompanyName = "Coding Challenge Company GmbH";

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
    public async Task AServerErrorOnTheCompanyCreateIsNotSentAgainAndTheRerunCreatesIt()
    {
        await using var scenario = await Scenario.StartAsync();
        scenario.HubSpot.Inject(Route.CreateCompany, Fault.ServerError(502));

        var run = (await scenario.RunAsync()).ShouldExitWith(1);

        Assert.Equal([Route.CreateContact, Route.SearchCompanies, Route.CreateCompany, Route.ReadContact], Expect.Routes(scenario));
        Expect.OneClearFailure(run,
            "HubSpot may have stored the company although its answer failed (HubSpot answered 502 INTERNAL_ERROR) while creating the company, so it was not sent again. " +
            $"Run again in a minute: the run finds it through the contact, or creates it. (correlation id {Fault.ServerError(502).CorrelationId})");
        Assert.Empty(scenario.HubSpot.Companies);

        (await scenario.RunAsync()).ShouldExitWith(0);

        Expect.Converged(scenario);
    }

    [Fact]
    public async Task RateLimitsAndAPlain503TogetherSendAtMostFourCreates()
    {
        await using var scenario = await Scenario.StartAsync();
        for (var round = 0; round < 2; round++)
        {
            scenario.HubSpot.Inject(Route.CreateCompany, Fault.RateLimited(retryAfterSeconds: 1), times: 3);
            scenario.HubSpot.Inject(Route.CreateCompany, Fault.ServerError(503));
        }

        var run = (await scenario.RunAsync()).ShouldExitWith(1);

        Assert.Equal(4, scenario.HubSpot.Requests.Count(r => r.Route == Route.CreateCompany));
        Assert.Empty(scenario.HubSpot.Companies);
        var retries = run.Stdout.Split('\n').Where(l => l.Contains("trying again", StringComparison.Ordinal)).ToList();
        Assert.Collection(retries,
            l => Assert.Contains("(attempt 2 of 4)", l, StringComparison.Ordinal),
            l => Assert.Contains("(attempt 3 of 4)", l, StringComparison.Ordinal),
            l => Assert.Contains("(attempt 4 of 4)", l, StringComparison.Ordinal));
        // A 503 says HubSpot did not handle it: the fourth attempt is the last, and nothing is in doubt.
        Assert.Equal(Route.CreateCompany, Expect.Routes(scenario)[^1]);
        Expect.OneClearFailure(run, "HubSpot answered 503 INTERNAL_ERROR while creating the company: Internal error 503. Run again later. Gave up after 4 attempts.");
        Assert.Contains($"(correlation id {Fault.ServerError(503).CorrelationId})", run.Stderr, StringComparison.Ordinal);
        Assert.Contains($"So far: contact {scenario.HubSpot.Contacts[0].Id} created, no company yet. Running again is safe", run.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ACompanyCreatedWithAnAnswerWithoutItsIdIsNotSentAgainButFoundThroughTheContact()
    {
        await using var scenario = await Scenario.StartAsync();
        scenario.HubSpot.Inject(Route.CreateCompany, Fault.Reshaped(answer =>
        {
            answer.Remove("id");
            return answer;
        }));

        var run = (await scenario.RunAsync()).ShouldExitWith(0);

        var company = Assert.Single(scenario.HubSpot.Companies);
        Assert.Contains("Creating the company: HubSpot answered 201 without the company's id; checking in 5.0 s whether HubSpot stored it.", run.Stdout, StringComparison.Ordinal);
        Assert.Contains($"Company {company.Id} created: ", run.Stdout, StringComparison.Ordinal);
        Expect.Converged(scenario);
    }

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
    public async Task ASearchHitWithAnotherDomainIsNotReused()
    {
        await using var scenario = await Scenario.StartAsync();
        scenario.HubSpot.Inject(Route.SearchCompanies, Fault.Reshaped(answer =>
        {
            answer["total"] = 1;
            answer["results"] = new JsonArray(JsonNode.Parse($$"""
                {"id":"999","properties":{"name":"{{CompanyName}}","domain":"coding-challenge-company.com.example.org","hs_object_id":"999"},
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
    public async Task AnExistingContactsCompanyIsFoundThroughItsAssociationsAndAnotherDomainIsSkipped()
    {
        await using var scenario = await Scenario.StartAsync();
        var contact = scenario.HubSpot.SeedContact("ada.lovelace@example.com", "Ada", "Lovelace");
        var other = scenario.HubSpot.SeedCompany("Example", "example.com", DateTimeOffset.UtcNow.AddDays(-90));
        var ours = scenario.HubSpot.SeedCompany(CompanyName, Expect.Domain, DateTimeOffset.UtcNow, indexed: false);
        scenario.HubSpot.SeedAssociation(contact.Id, other.Id);
        scenario.HubSpot.SeedAssociation(contact.Id, ours.Id);

        var run = (await scenario.RunAsync()).ShouldExitWith(0);

        Assert.Equal([Route.CreateContact, Route.ReadContact, Route.ReadCompanies, Route.AssociateDefault], Expect.Routes(scenario));
        Assert.Equal(2, scenario.HubSpot.Companies.Count);
        Assert.Contains($"Company {ours.Id} already existed", run.Stdout, StringComparison.Ordinal);
        var batch = scenario.HubSpot.Requests[2].Json!;
        Assert.Equal([other.Id, ours.Id], batch["inputs"]!.AsArray().Select(i => i!["id"]!.GetValue<string>()).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task TheOldestOfSeveralMatchesIsReusedEvenBeyondTheFirstPage()
    {
        await using var scenario = await Scenario.StartAsync();
        var now = DateTimeOffset.UtcNow;
        for (var i = 0; i < 120; i++)
        {
            scenario.HubSpot.SeedCompany(CompanyName, Expect.Domain, now.AddDays(-i), id: $"{5000 + i}");
        }

        var oldest = scenario.HubSpot.SeedCompany(CompanyName, Expect.Domain, now.AddDays(-365), id: "4000");

        var run = (await scenario.RunAsync()).ShouldExitWith(0);

        Assert.DoesNotContain(Route.CreateCompany, Expect.Routes(scenario));
        Assert.Equal(oldest.Id, Assert.Single(scenario.HubSpot.Associations).CompanyId);
        Assert.Contains($"Company {oldest.Id} already existed", run.Stdout, StringComparison.Ordinal);
    }

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
    [InlineData("PENDING")]
    [InlineData("PROCESSING")]
    public async Task AnAssociationThatIsNotCompleteIsNotTakenForDone(string status)
    {
        await using var scenario = await Scenario.StartAsync();
        var company = scenario.HubSpot.SeedCompany(CompanyName, Expect.Domain, DateTimeOffset.UtcNow.AddDays(-1));
        scenario.HubSpot.Inject(Route.AssociateDefault, Fault.AssociationStatus(status));

        var run = (await scenario.RunAsync()).ShouldExitWith(1);

        Assert.Empty(scenario.HubSpot.Associations);
        Assert.Equal([Route.CreateContact, Route.SearchCompanies, Route.AssociateDefault], Expect.Routes(scenario));
        Expect.OneClearFailure(run, $"is associated with company {company.Id} ({status}). Run again in a minute");
        Assert.Contains($"company {company.Id} already existed", run.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("associated with company", run.Stdout, StringComparison.Ordinal);
    }
}
