using FakeHubSpot;

using Xunit;

namespace HubSpotChallenge.Tests;

/// <summary>HubSpot's rate limits: waited out as HubSpot says, or the run stops when the wait is too long.</summary>
public sealed class RateLimitTests
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
