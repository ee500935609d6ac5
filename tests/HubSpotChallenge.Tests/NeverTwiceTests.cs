using System.Text.Json.Nodes;

using FakeHubSpot;

using Xunit;

namespace HubSpotChallenge.Tests;

/// <summary>
/// The README's "never twice": a company create that HubSpot may have carried out is not sent again, against a fake
/// whose search lags writes as HubSpot's does.
/// </summary>
public sealed class NeverTwiceTests
{
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
}
