using System.Text.Json.Nodes;

using FakeHubSpot;

using Xunit;

namespace HubSpotChallenge.Tests;

/// <summary>What the resilience tests share: HubSpot's bodies and the converged end state.</summary>
static class Expect
{
    public const string Domain = "coding-challenge-company.com";

    public static List<Route?> Routes(Scenario scenario) => [.. scenario.HubSpot.Requests.Select(r => r.Route)];

    /// <summary>The README's promise for a failure: one line naming cause and fix, then what exists; no stack trace.</summary>
    public static void OneClearFailure(AppResult run, string expected)
    {
        var lines = run.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.True(lines.Length == 2, $"Expected two lines on stderr.{Environment.NewLine}{run}");
        Assert.True(lines[0].Contains(expected, StringComparison.Ordinal), $"Expected \"{expected}\" in the first line.{Environment.NewLine}{run}");
        Assert.StartsWith("So far: ", lines[1], StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", run.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("Exception", run.Output, StringComparison.Ordinal);
    }

    public static void Converged(Scenario scenario)
    {
        var hub = scenario.HubSpot;
        var contact = Assert.Single(hub.Contacts);
        var company = Assert.Single(hub.Companies, c => c["domain"] == Expect.Domain);
        Assert.Contains((contact.Id, company.Id), hub.Associations);
    }
}

/// <summary>Re-runs create nothing twice: existing records are found and reused.</summary>
public sealed class RerunTests
{
    [Fact]
    public async Task AFreshPortalCostsFourCallsInOrder()
    {
        await using var scenario = await Scenario.StartAsync();

        var run = (await scenario.RunAsync()).ShouldExitWith(0);

        Assert.Equal([Route.CreateContact, Route.SearchCompanies, Route.CreateCompany, Route.AssociateDefault], Expect.Routes(scenario));
        var search = scenario.HubSpot.Requests[1].Json!;
        Assert.True(JsonNode.DeepEquals(
            JsonNode.Parse($$"""{"propertyName":"domain","operator":"EQ","value":"{{Expect.Domain}}"}"""),
            search["filterGroups"]![0]!["filters"]![0]), search.ToJsonString());
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""[{"propertyName":"createdate","direction":"ASCENDING"}]"""), search["sorts"]), search.ToJsonString());
        var contact = scenario.HubSpot.Contacts[0];
        var companyCreate = scenario.HubSpot.Requests[2].Json!;
        Assert.True(JsonNode.DeepEquals(
            JsonNode.Parse($$"""[{"to":{"id":"{{contact.Id}}"},"types":[{"associationCategory":"HUBSPOT_DEFINED","associationTypeId":280}]}]"""),
            companyCreate["associations"]), companyCreate.ToJsonString());
        Assert.Contains("created", run.Stdout, StringComparison.Ordinal);
        Expect.Converged(scenario);
    }

    [Fact]
    public async Task ASecondRunCreatesNothingAndSaysSo()
    {
        await using var scenario = await Scenario.StartAsync();
        (await scenario.RunAsync()).ShouldExitWith(0);
        var firstRequests = scenario.HubSpot.Requests.Count;

        var second = (await scenario.RunAsync()).ShouldExitWith(0);

        Expect.Converged(scenario);
        Assert.Single(scenario.HubSpot.Associations);
        var rerun = Expect.Routes(scenario).Skip(firstRequests).ToList();
        Assert.Equal([Route.CreateContact, Route.ReadContact, Route.ReadCompanies, Route.AssociateDefault], rerun);
        Assert.Contains($"Contact {scenario.HubSpot.Contacts[0].Id} already existed", second.Stdout, StringComparison.Ordinal);
        Assert.Contains($"Company {scenario.HubSpot.Companies[0].Id} already existed", second.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnExistingContactIsReusedByTheIdInHubSpotsConflictMessage()
    {
        await using var scenario = await Scenario.StartAsync();
        var existing = scenario.HubSpot.SeedContact("ada.lovelace@example.com", "Ada", "Lovelace", id: "123456789012345678");

        var run = (await scenario.RunAsync()).ShouldExitWith(0);

        Expect.Converged(scenario);
        Assert.Equal((existing.Id, scenario.HubSpot.Companies[0].Id), Assert.Single(scenario.HubSpot.Associations));
        var read = Assert.Single(scenario.HubSpot.Requests, r => r.Route == Route.ReadContact);
        Assert.Equal(("/crm/objects/2026-09/contacts/123456789012345678", "?associations=companies"), (read.Path, read.Query));
        Assert.Contains("Contact 123456789012345678 already existed", run.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AConflictWithoutAReadableIdFallsBackToReadingTheContactByEmail()
    {
        await using var scenario = await Scenario.StartAsync();
        var existing = scenario.HubSpot.SeedContact("ada.lovelace@example.com", "Ada", "Lovelace");
        scenario.HubSpot.SeedCompany("Coding Challenge Company GmbH", Expect.Domain, DateTimeOffset.UtcNow.AddDays(-1));
        scenario.HubSpot.Inject(Route.CreateContact, Fault.Respond(409,
            """{"status":"error","message":"Contact already exists.","correlationId":"cccc3333-0000-0000-0000-000000000409","category":"CONFLICT"}"""));

        (await scenario.RunAsync()).ShouldExitWith(0);

        Expect.Converged(scenario);
        Assert.Equal(existing.Id, scenario.HubSpot.Associations[0].ContactId);
        var byEmail = scenario.HubSpot.Requests.First(r => r.Route == Route.ReadContact);
        Assert.Equal(("/crm/objects/2026-09/contacts/ada.lovelace@example.com", "?idProperty=email"), (byEmail.Path, byEmail.Query));
        Assert.Equal(
            [Route.CreateContact, Route.ReadContact, Route.ReadContact, Route.SearchCompanies, Route.AssociateDefault],
            Expect.Routes(scenario));
    }

    [Fact]
    public async Task AnExistingCompanyIsReusedTheOldestWhenSeveral()
    {
        await using var scenario = await Scenario.StartAsync();
        var now = DateTimeOffset.UtcNow;
        scenario.HubSpot.SeedCompany("Coding Challenge Company GmbH", Expect.Domain, now.AddDays(-1), id: "900");
        var oldest = scenario.HubSpot.SeedCompany("Coding Challenge Company GmbH", Expect.Domain, now.AddDays(-30), id: "901");
        scenario.HubSpot.SeedCompany("Someone Else", "example.org", now.AddDays(-60), id: "902");

        var run = (await scenario.RunAsync()).ShouldExitWith(0);

        Assert.Equal(3, scenario.HubSpot.Companies.Count);
        Assert.DoesNotContain(Route.CreateCompany, Expect.Routes(scenario));
        Assert.Equal(oldest.Id, Assert.Single(scenario.HubSpot.Associations).CompanyId);
        Assert.Contains("Company 901 already existed", run.Stdout, StringComparison.Ordinal);
    }

}

/// <summary>Passing failures are retried through the paced helper, at most four attempts.</summary>
public sealed class RetryTests
{
    [Fact]
    public async Task ARateLimitIsRetriedNoSoonerThanRetryAfter()
    {
        await using var scenario = await Scenario.StartAsync();
        scenario.HubSpot.Inject(Route.CreateContact, Fault.RateLimited(retryAfterSeconds: 2));

        (await scenario.RunAsync()).ShouldExitWith(0);

        Expect.Converged(scenario);
        var attempts = scenario.HubSpot.Requests.Where(r => r.Route == Route.CreateContact).ToList();
        Assert.Equal(2, attempts.Count);
        var gap = attempts[1].ArrivedAfterStart - attempts[0].ArrivedAfterStart;
        Assert.True(gap >= TimeSpan.FromMilliseconds(2000), $"The retry came {gap.TotalMilliseconds:0} ms after the 429.");
    }

    [Fact]
    public async Task ARateLimitWithoutRetryAfterWaitsForTheIntervalWindow()
    {
        await using var scenario = await Scenario.StartAsync();
        scenario.HubSpot.Inject(Route.SearchCompanies, Fault.RateLimited(intervalMilliseconds: 1500));

        var run = (await scenario.RunAsync()).ShouldExitWith(0);

        Expect.Converged(scenario);
        var attempts = scenario.HubSpot.Requests.Where(r => r.Route == Route.SearchCompanies).ToList();
        Assert.Equal(2, attempts.Count);
        var gap = attempts[1].ArrivedAfterStart - attempts[0].ArrivedAfterStart;
        Assert.True(gap >= TimeSpan.FromMilliseconds(1500), $"The retry came {gap.TotalMilliseconds:0} ms after the 429.");
        Assert.Contains("trying again in 1.5 s", run.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TheDailyLimitIsNotRetriedAndSaysWhenItResets()
    {
        await using var scenario = await Scenario.StartAsync();
        scenario.HubSpot.Inject(Route.CreateContact, Fault.RateLimited("DAILY"), times: 4);

        var run = (await scenario.RunAsync()).ShouldExitWith(1);

        Assert.Single(scenario.HubSpot.Requests);
        Assert.Contains("daily", run.Stderr, StringComparison.Ordinal);
        Assert.Contains("midnight in the account's time zone", run.Stderr, StringComparison.Ordinal);
        Assert.Contains(Fault.RateLimited().CorrelationId!, run.Stderr, StringComparison.Ordinal);
        Assert.Empty(scenario.HubSpot.Contacts);
        Assert.Empty(scenario.HubSpot.Companies);
    }

    [Fact]
    public async Task APersistentRateLimitStopsAfterFourAttempts()
    {
        await using var scenario = await Scenario.StartAsync();
        scenario.HubSpot.Inject(Route.CreateContact, Fault.RateLimited(retryAfterSeconds: 1), times: 10);

        var run = (await scenario.RunAsync()).ShouldExitWith(1);

        Assert.Equal(4, scenario.HubSpot.Requests.Count);
        Assert.All(scenario.HubSpot.Requests, r => Assert.Equal(Route.CreateContact, r.Route));
        Assert.Contains("429", run.Stderr, StringComparison.Ordinal);
        Assert.Contains("4 attempts", run.Stderr, StringComparison.Ordinal);
        Assert.Contains("You have reached your ten_secondly_rolling limit.", run.Stderr, StringComparison.Ordinal);
        Assert.Contains(Fault.RateLimited().CorrelationId!, run.Stderr, StringComparison.Ordinal);
        Assert.Empty(scenario.HubSpot.Contacts);
    }

    [Fact]
    public async Task ARetryAfterLongerThanAMinuteIsNotSatThrough()
    {
        await using var scenario = await Scenario.StartAsync();
        scenario.HubSpot.Inject(Route.CreateContact, Fault.RateLimited(retryAfterSeconds: 3600));

        var run = (await scenario.RunAsync()).ShouldExitWith(1);

        Assert.Single(scenario.HubSpot.Requests);
        Assert.Contains("HubSpot asked to wait 60 min", run.Stderr, StringComparison.Ordinal);
        Assert.True(run.Elapsed < TimeSpan.FromSeconds(30), run.ToString());
        Assert.Empty(scenario.HubSpot.Contacts);
    }

    [Fact]
    public async Task ALockedRecordIsRetriedAfterAtLeastTwoSeconds()
    {
        await using var scenario = await Scenario.StartAsync();
        scenario.HubSpot.Inject(Route.AssociateDefault, Fault.Locked());

        (await scenario.RunAsync()).ShouldExitWith(0);

        Expect.Converged(scenario);
        var attempts = scenario.HubSpot.Requests.Where(r => r.Route == Route.AssociateDefault).ToList();
        Assert.Equal(2, attempts.Count);
        Assert.True(attempts[1].ArrivedAfterStart - attempts[0].ArrivedAfterStart >= TimeSpan.FromSeconds(2));
    }

    [Fact]
    public async Task ServiceUnavailableTwiceThenSuccessCreatesOneContact()
    {
        await using var scenario = await Scenario.StartAsync();
        scenario.HubSpot.Inject(Route.CreateContact, Fault.ServerError(503), times: 2);

        var run = (await scenario.RunAsync()).ShouldExitWith(0);

        Expect.Converged(scenario);
        Assert.Equal(3, scenario.HubSpot.Requests.Count(r => r.Route == Route.CreateContact));
        Assert.Contains("attempt 3 of 4", run.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ADroppedConnectionOnTheAssociationIsRetried()
    {
        await using var scenario = await Scenario.StartAsync();
        scenario.HubSpot.Inject(Route.AssociateDefault, Fault.Drop());

        (await scenario.RunAsync()).ShouldExitWith(0);

        Expect.Converged(scenario);
        Assert.Single(scenario.HubSpot.Associations);
        Assert.Equal(2, scenario.HubSpot.Requests.Count(r => r.Route == Route.AssociateDefault));
    }

    [Fact]
    public async Task ALostAnswerOnCompanyCreationLeavesOneCompany()
    {
        await using var scenario = await Scenario.StartAsync();
        scenario.HubSpot.Inject(Route.CreateCompany, Fault.LoseTheAnswer());

        var run = (await scenario.RunAsync()).ShouldExitWith(0);

        Expect.Converged(scenario);
        Assert.Single(scenario.HubSpot.Companies);
        Assert.Equal(
            [Route.CreateContact, Route.SearchCompanies, Route.CreateCompany, Route.ReadContact, Route.ReadCompanies, Route.AssociateDefault],
            Expect.Routes(scenario));
        Assert.Contains("whether HubSpot stored it", run.Stdout, StringComparison.Ordinal);
        Assert.Contains($"Company {scenario.HubSpot.Companies[0].Id} created", run.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AServerErrorOnCompanyCreationLooksBeforeCreatingAgain()
    {
        await using var scenario = await Scenario.StartAsync();
        scenario.HubSpot.Inject(Route.CreateCompany, Fault.ServerError(502));

        (await scenario.RunAsync()).ShouldExitWith(0);

        Expect.Converged(scenario);
        Assert.Equal(
            [Route.CreateContact, Route.SearchCompanies, Route.CreateCompany, Route.ReadContact, Route.CreateCompany, Route.AssociateDefault],
            Expect.Routes(scenario));
    }

    [Fact]
    public async Task CompanyCreationThatKeepsFailingStopsAfterFourAttemptsAndCreatesNothing()
    {
        await using var scenario = await Scenario.StartAsync();
        scenario.HubSpot.Inject(Route.CreateCompany, Fault.ServerError(503), times: 10);

        var run = (await scenario.RunAsync()).ShouldExitWith(1);

        Assert.Equal(4, scenario.HubSpot.Requests.Count(r => r.Route == Route.CreateCompany));
        Assert.Equal(4, scenario.HubSpot.Requests.Count(r => r.Route == Route.ReadContact));
        Assert.Empty(scenario.HubSpot.Companies);
        Assert.Single(scenario.HubSpot.Contacts);
        Assert.Contains("503", run.Stderr, StringComparison.Ordinal);
        Assert.Contains(Fault.ServerError(503).CorrelationId!, run.Stderr, StringComparison.Ordinal);
        Assert.Contains($"contact {scenario.HubSpot.Contacts[0].Id} created", run.Stderr, StringComparison.Ordinal);
        Assert.Contains("Running again is safe", run.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ALostAnswerOnContactCreationIsResolvedByTheConflict()
    {
        await using var scenario = await Scenario.StartAsync();
        scenario.HubSpot.Inject(Route.CreateContact, Fault.LoseTheAnswer());

        (await scenario.RunAsync()).ShouldExitWith(0);

        Expect.Converged(scenario);
        Assert.Equal(2, scenario.HubSpot.Requests.Count(r => r.Route == Route.CreateContact));
    }

    [Fact]
    public async Task ASlowAnswerPastTheTimeoutIsRetried()
    {
        await using var scenario = await Scenario.StartAsync();
        scenario.Environment["HUBSPOT_TIMEOUT_SECONDS"] = "1";
        scenario.HubSpot.Inject(Route.AssociateDefault, Fault.Slow(TimeSpan.FromSeconds(3)));

        var run = (await scenario.RunAsync()).ShouldExitWith(0);

        Expect.Converged(scenario);
        Assert.Equal(2, scenario.HubSpot.Requests.Count(r => r.Route == Route.AssociateDefault));
        Assert.Contains("no answer within 1 s", run.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnUnreachableHostFailsAfterFourAttemptsNamingTheHost()
    {
        await using var scenario = await Scenario.StartAsync();
        using var closed = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        closed.Start();
        var port = ((System.Net.IPEndPoint)closed.LocalEndpoint).Port;
        closed.Stop();
        scenario.Environment["HUBSPOT_BASE_URL"] = $"http://127.0.0.1:{port}";

        var run = (await scenario.RunAsync()).ShouldExitWith(1);

        Assert.Contains($"Could not reach HubSpot at 127.0.0.1:{port}", run.Stderr, StringComparison.Ordinal);
        Assert.Contains("HUBSPOT_BASE_URL", run.Stderr, StringComparison.Ordinal);
        Assert.Contains("4 attempts", run.Stderr, StringComparison.Ordinal);
        Assert.Equal(3, run.Stdout.Split('\n').Count(l => l.Contains("trying again", StringComparison.Ordinal)));
        Assert.Empty(scenario.HubSpot.Requests);
    }

}

/// <summary>Failures that retrying cannot fix end with one clear line and what exists.</summary>
public sealed class FailureTests
{
    [Fact]
    public async Task AWrongTokenIsNotRetriedAndPointsAtHubSpotKey()
    {
        await using var scenario = await Scenario.StartAsync();
        scenario.Environment["HUBSPOT_KEY"] = "pat-na1-this-token-is-fake-and-wrong";

        var run = (await scenario.RunAsync()).ShouldExitWith(1);

        Assert.Single(scenario.HubSpot.Requests);
        Assert.Contains("401", run.Stderr, StringComparison.Ordinal);
        Assert.Contains("rejected the token", run.Stderr, StringComparison.Ordinal);
        Assert.Contains("HUBSPOT_KEY", run.Stderr, StringComparison.Ordinal);
        Assert.Contains("correlation id", run.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", run.Output, StringComparison.Ordinal);
        Assert.Empty(scenario.HubSpot.Contacts);
    }

    [Fact]
    public async Task AMissingScopeIsNamedAndWhatExistsIsReported()
    {
        await using var scenario = await Scenario.StartAsync();
        scenario.HubSpot.GrantedScopes.Remove("crm.objects.companies.read");

        var run = (await scenario.RunAsync()).ShouldExitWith(1);

        Assert.Equal([Route.CreateContact, Route.SearchCompanies], Expect.Routes(scenario));
        Assert.Contains("403 MISSING_SCOPES", run.Stderr, StringComparison.Ordinal);
        Assert.Contains("crm.objects.companies.read", run.Stderr, StringComparison.Ordinal);
        Assert.Contains("Grant", run.Stderr, StringComparison.Ordinal);
        var contact = Assert.Single(scenario.HubSpot.Contacts);
        Assert.Contains($"contact {contact.Id} created", run.Stderr, StringComparison.Ordinal);
        Assert.Contains("Running again is safe", run.Stderr, StringComparison.Ordinal);
        Assert.Empty(scenario.HubSpot.Companies);
    }

    public static TheoryData<string> ScopeShapes => new()
    {
        """{"status":"error","message":"missing","category":"MISSING_SCOPES","errors":[{"message":"One or more of the following scopes are required.","context":{"requiredScopes":["crm.objects.contacts.write"]}}]}""",
        """{"status":"error","message":"missing","category":"MISSING_SCOPES","context":{"missingScopes":["crm.objects.contacts.write"]}}""",
        """{"status":"error","message":"missing","category":"MISSING_SCOPES","context":{"requiredGranularScopes":["crm.objects.contacts.write"]}}""",
    };

    [Theory]
    [MemberData(nameof(ScopeShapes))]
    public async Task MissingScopesAreFoundWhereverHubSpotPutsThem(string body)
    {
        await using var scenario = await Scenario.StartAsync();
        scenario.HubSpot.Inject(Route.CreateContact, Fault.Respond(403, body));

        var run = (await scenario.RunAsync()).ShouldExitWith(1);

        Assert.Contains("crm.objects.contacts.write", run.Stderr, StringComparison.Ordinal);
        Assert.Single(scenario.HubSpot.Requests);
        Assert.Empty(scenario.HubSpot.Contacts);
    }

    [Fact]
    public async Task AnAccountMigrationStopsAndSaysWhenToComeBack()
    {
        await using var scenario = await Scenario.StartAsync();
        scenario.HubSpot.Inject(Route.CreateContact, Fault.Respond(477,
            """{"status":"error","message":"This portal is being migrated.","correlationId":"eeee5555-0000-0000-0000-000000000477"}""", ("Retry-After", "7200")));

        var run = (await scenario.RunAsync()).ShouldExitWith(1);

        Assert.Single(scenario.HubSpot.Requests);
        Assert.Contains("migrated", run.Stderr, StringComparison.Ordinal);
        Assert.Contains("in 2 h", run.Stderr, StringComparison.Ordinal);
        Assert.Empty(scenario.HubSpot.Contacts);
    }

}

/// <summary>Ctrl+C, SIGTERM and SIGHUP (the terminal closed) stop the run promptly wherever it is waiting.</summary>
public sealed class CancellationTests
{
    [Theory]
    [InlineData(Posix.SIGINT)]
    [InlineData(Posix.SIGTERM)]
    [InlineData(Posix.SIGHUP)]
    public async Task ASignalDuringASlowRequestExitsPromptlyWith130AndReportsTheContact(int signal)
    {
        await using var scenario = await Scenario.StartAsync();
        scenario.HubSpot.Inject(Route.CreateCompany, Fault.Slow(TimeSpan.FromSeconds(20)));
        var (run, toExit) = await scenario.RunAndSignalAsync(signal,
            when: () => scenario.HubSpot.Requests.Any(r => r.Route == Route.CreateCompany), after: TimeSpan.Zero);

        run.ShouldExitWith(130);
        Assert.True(toExit < TimeSpan.FromSeconds(1), $"The app took {toExit.TotalMilliseconds:0} ms to stop.{Environment.NewLine}{run}");
        var contact = Assert.Single(scenario.HubSpot.Contacts);
        Assert.Contains("Cancelled", run.Stderr, StringComparison.Ordinal);
        Assert.Contains($"contact {contact.Id} created", run.Stderr, StringComparison.Ordinal);
        Assert.Contains("Running again is safe", run.Stderr, StringComparison.Ordinal);
        Assert.Empty(scenario.HubSpot.Companies);
        Assert.DoesNotContain("   at ", run.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CtrlCDuringARetryWaitExitsPromptlyWith130()
    {
        await using var scenario = await Scenario.StartAsync();
        scenario.HubSpot.Inject(Route.CreateContact, Fault.RateLimited(retryAfterSeconds: 30));
        var (run, toExit) = await scenario.RunAndSignalAsync(Posix.SIGINT,
            when: () => scenario.HubSpot.Requests.Count > 0, after: TimeSpan.FromMilliseconds(300));

        run.ShouldExitWith(130);
        Assert.True(toExit < TimeSpan.FromSeconds(1), $"The app took {toExit.TotalMilliseconds:0} ms to stop.{Environment.NewLine}{run}");
        Assert.Single(scenario.HubSpot.Requests);
        Assert.Empty(scenario.HubSpot.Contacts);
        Assert.Contains("no contact yet", run.Stderr, StringComparison.Ordinal);
    }
}
