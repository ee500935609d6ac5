using FakeHubSpot;

using Xunit;

namespace HubSpotChallenge.Tests;

/// <summary>Passing failures are retried through the one paced loop; the rest end the run with one clear line.</summary>
public sealed class RetryTests
{
    [Fact]
    public async Task ARateLimitIsRetriedNoSoonerThanRetryAfter()
    {
        await using var scenario = await Scenario.StartAsync();
        scenario.HubSpot.Inject(Route.CreateContact, Fault.RateLimited(retryAfterSeconds: 2));

        var run = (await scenario.RunAsync()).ShouldExitWith(0);

        Expect.Converged(scenario);
        var attempts = scenario.HubSpot.Requests.Where(r => r.Route == Route.CreateContact).ToList();
        Assert.Equal(2, attempts.Count);
        var gap = attempts[1].ArrivedAfterStart - attempts[0].ArrivedAfterStart;
        Assert.True(gap >= TimeSpan.FromMilliseconds(2000), $"The retry came {gap.TotalMilliseconds:0} ms after the 429.");
        Assert.Contains(
            "Creating the contact: HubSpot answered 429 TEN_SECONDLY_ROLLING; trying again in 2.0 s (attempt 2 of 4).",
            run.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SearchsOwnPerSecondLimitIsWaitedOutForASecondNotTen()
    {
        await using var scenario = await Scenario.StartAsync();
        scenario.HubSpot.Inject(Route.SearchCompanies, Fault.RateLimited("SECONDLY"));

        var run = (await scenario.RunAsync()).ShouldExitWith(0);

        Expect.Converged(scenario);
        var searches = scenario.HubSpot.Requests.Where(r => r.Route == Route.SearchCompanies).ToList();
        Assert.Equal(2, searches.Count);
        var gap = searches[1].ArrivedAfterStart - searches[0].ArrivedAfterStart;
        Assert.True(gap >= TimeSpan.FromMilliseconds(1150), $"The retry came {gap.TotalMilliseconds:0} ms after the 429.");
        Assert.Contains("Searching for the company: HubSpot answered 429 SECONDLY; trying again in 1.0 s (attempt 2 of 4).", run.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ARetryAfterLongerThanAMinuteIsNotSatThrough()
    {
        await using var scenario = await Scenario.StartAsync();
        scenario.HubSpot.Inject(Route.CreateContact, Fault.RateLimited(retryAfterSeconds: 3600));

        var run = (await scenario.RunAsync()).ShouldExitWith(1);

        Expect.OneClearFailure(run, "HubSpot asked to wait over a minute: run again later.");
        Assert.Single(scenario.HubSpot.Requests);
        Assert.Empty(scenario.HubSpot.Contacts);
    }

    [Fact]
    public async Task TheDailyLimitStopsTheRunUntilMidnight()
    {
        await using var scenario = await Scenario.StartAsync();
        scenario.HubSpot.Inject(Route.CreateContact, Fault.RateLimited("DAILY"));

        var run = (await scenario.RunAsync()).ShouldExitWith(1);

        Expect.OneClearFailure(run, "HubSpot answered 429 DAILY while creating the contact: You have reached your daily limit. The daily limit resets at midnight in the account's time zone.");
        Assert.Single(scenario.HubSpot.Requests);
    }

    [Fact]
    public async Task ServerTroubleIsRetriedWithBackoffAndCreatesOneContact()
    {
        await using var scenario = await Scenario.StartAsync();
        scenario.HubSpot.Inject(Route.CreateContact, Fault.ServerError(503), times: 2);

        var run = (await scenario.RunAsync()).ShouldExitWith(0);

        Expect.Converged(scenario);
        var attempts = scenario.HubSpot.Requests.Where(r => r.Route == Route.CreateContact).Select(r => r.ArrivedAfterStart).ToList();
        Assert.Equal(3, attempts.Count);
        // About 1 s, then 2 s (each ±20%), each after the 200 ms pace: measured at the fake.
        Assert.True(attempts[1] - attempts[0] >= TimeSpan.FromMilliseconds(990), $"The first retry came {(attempts[1] - attempts[0]).TotalMilliseconds:0} ms after.");
        Assert.True(attempts[2] - attempts[1] >= TimeSpan.FromMilliseconds(1790), $"The second retry came {(attempts[2] - attempts[1]).TotalMilliseconds:0} ms after.");
        Assert.Contains("Creating the contact: HubSpot answered 503 INTERNAL_ERROR; trying again in ", run.Stdout, StringComparison.Ordinal);
        Assert.Contains("(attempt 3 of 4)", run.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ADroppedConnectionOnTheAssociationIsRetried()
    {
        await using var scenario = await Scenario.StartAsync();
        scenario.HubSpot.Inject(Route.AssociateDefault, Fault.DropConnection());

        (await scenario.RunAsync()).ShouldExitWith(0);

        Expect.Converged(scenario);
        Assert.Single(scenario.HubSpot.Associations);
        Assert.Equal(2, scenario.HubSpot.Requests.Count(r => r.Route == Route.AssociateDefault));
    }

    [Fact]
    public async Task ALostAnswerOnContactCreationIsResolvedByTheConflict()
    {
        await using var scenario = await Scenario.StartAsync();
        scenario.HubSpot.Inject(Route.CreateContact, Fault.LoseAnswerAfterStoring());

        var run = (await scenario.RunAsync()).ShouldExitWith(0);

        Expect.Converged(scenario);
        Assert.Equal(2, scenario.HubSpot.Requests.Count(r => r.Route == Route.CreateContact));
        Assert.Contains($"Contact {scenario.HubSpot.Contacts[0].Id} already existed", run.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ARefusedConnectionIsTriedFourTimesAndNamesTheHost()
    {
        await using var scenario = await Scenario.StartAsync();
        // Bound and kept, but never listening: every connection is refused, and no other test can take the port.
        using var closed = new System.Net.Sockets.Socket(System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Tcp);
        closed.Bind(new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, 0));
        var port = ((System.Net.IPEndPoint)closed.LocalEndPoint!).Port;
        scenario.Environment["HUBSPOT_BASE_URL"] = $"http://127.0.0.1:{port}";

        var run = (await scenario.RunAsync()).ShouldExitWith(1);

        Expect.OneClearFailure(run,
            $"No usable answer from HubSpot at 127.0.0.1:{port} while creating the contact: the connection was refused or failed. Check HUBSPOT_BASE_URL and your connection. Gave up after 4 attempts.");
        Assert.Equal(3, run.Stdout.Split('\n').Count(l => l.Contains("trying again", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task AWrongTokenIsNotRetriedAndPointsAtHubSpotKey()
    {
        await using var scenario = await Scenario.StartAsync();
        scenario.Environment["HUBSPOT_KEY"] = "pat-na1-this-token-is-fake-and-wrong";

        var run = (await scenario.RunAsync()).ShouldExitWith(1);

        Expect.OneClearFailure(run, "HubSpot answered 401 INVALID_AUTHENTICATION while creating the contact: Authentication credentials not found. Check HUBSPOT_KEY");
        Assert.Contains("(correlation id ", run.Stderr, StringComparison.Ordinal);
        Assert.Single(scenario.HubSpot.Requests);
        Assert.Empty(scenario.HubSpot.Contacts);
    }

    [Fact]
    public async Task AMissingScopeIsNamedAndWhatExistsIsReported()
    {
        await using var scenario = await Scenario.StartAsync();
        // HubSpot's answer to a token without crm.objects.companies.read.
        scenario.HubSpot.Inject(Route.SearchCompanies, Fault.Respond(403, """
            {"status":"error","message":"This app hasn't been granted all required scopes to make this call.","correlationId":"c-403",
             "errors":[{"message":"One or more of the following scopes are required.","context":{"requiredGranularScopes":["crm.objects.companies.read"]}}],
             "category":"MISSING_SCOPES"}
            """));

        var run = (await scenario.RunAsync()).ShouldExitWith(1);

        Expect.OneClearFailure(run, "HubSpot answered 403 MISSING_SCOPES while searching for the company: This app hasn't been granted all required scopes to make this call. Grant the token crm.objects.contacts.read, crm.objects.contacts.write, crm.objects.companies.read and crm.objects.companies.write, then run again.");
        Assert.Equal([Route.CreateContact, Route.SearchCompanies], Expect.Routes(scenario));
        var contact = Assert.Single(scenario.HubSpot.Contacts);
        Assert.Contains($"So far: contact {contact.Id} created, no company yet. Running again is safe", run.Stderr, StringComparison.Ordinal);
        Assert.Empty(scenario.HubSpot.Companies);
    }

    [Fact]
    public async Task ABadRequestShowsHubSpotsMessageEscapedWithItsCorrelationId()
    {
        await using var scenario = await Scenario.StartAsync();
        scenario.HubSpot.Inject(Route.CreateCompany, Fault.Respond(400,
            """{"status":"error","message":"Property values were not valid: Company names must end in AG\u001b[2J","correlationId":"c0ffee00-aaaa-bbbb-cccc-ddddeeeeffff","category":"VALIDATION_ERROR"}"""));

        var run = (await scenario.RunAsync()).ShouldExitWith(1);

        Expect.OneClearFailure(run,
            "HubSpot answered 400 VALIDATION_ERROR while creating the company: Property values were not valid: Company names must end in AG\\u001B[2J. Correct what it names");
        Assert.Contains("(correlation id c0ffee00-aaaa-bbbb-cccc-ddddeeeeffff)", run.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain('\u001b', run.Output);
        Assert.Empty(scenario.HubSpot.Companies);
    }

    [Theory]
    [InlineData(503)]
    [InlineData(521)]
    [InlineData(522)]
    [InlineData(523)]
    public async Task AStatusThatSaysHubSpotDidNotHandleTheCompanyCreateSendsItAgain(int status)
    {
        await using var scenario = await Scenario.StartAsync();
        scenario.HubSpot.Inject(Route.CreateCompany, status == 503 ? Fault.ServerError(503) : Fault.EdgePage(status));

        var run = (await scenario.RunAsync()).ShouldExitWith(0);

        Expect.Converged(scenario);
        Assert.Single(scenario.HubSpot.Companies);
        Assert.Equal(2, scenario.HubSpot.Requests.Count(r => r.Route == Route.CreateCompany));
        Assert.Contains($"Creating the company: HubSpot answered {status}", run.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("whether HubSpot stored it", run.Stdout, StringComparison.Ordinal);
    }

    // The Retry-After as an HTTP date is read by the rules (RetryPolicyRules).
    [Theory]
    [InlineData("3600")]
    public async Task ALongRetryAfterOnACompanyCreateInDoubtIsNotSatThrough(string retryAfter)
    {
        await using var scenario = await Scenario.StartAsync();
        scenario.HubSpot.Inject(Route.CreateCompany, Fault.Respond(500,
            """{"status":"error","message":"Internal error","correlationId":"c-500","category":"INTERNAL_ERROR"}""", ("Retry-After", retryAfter)));

        var run = (await scenario.RunAsync()).ShouldExitWith(1);

        Assert.True(run.Elapsed < TimeSpan.FromSeconds(30), $"The run took {run.Elapsed.TotalSeconds:0} s.{Environment.NewLine}{run}");
        Expect.OneClearFailure(run, "HubSpot may have stored the company although its answer failed (HubSpot answered 500 INTERNAL_ERROR) while creating the company, so it was not sent again.");
        Assert.Single(scenario.HubSpot.Requests, r => r.Route == Route.CreateCompany);
    }
}
