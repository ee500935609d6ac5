using FakeHubSpot;

using Xunit;

namespace HubSpotChallenge.Tests;

/// <summary>The README's "never twice": a company create that HubSpot may have carried out is not sent again; one
/// it did not handle is.</summary>
public sealed class NeverTwiceTests
{
    [Fact]
    public async Task ACreateInDoubtIsNotSentAgainAndWhenTheLookMissesItARerunCreatesIt()
    {
        await using var world = await World.StartAsync();
        world.HubSpot.Inject(Route.CreateCompany, Fault.Error(502, "INTERNAL_ERROR", "Bad gateway"));

        var run = await world.RunAsync();
        var rerun = await world.RunAsync();

        run.ShouldFailWith(1, "HubSpot may have stored the company (HubSpot answered 502 INTERNAL_ERROR), so the create " +
            $"was not sent again. Run again in a minute", Fault.CorrelationId);
        Assert.EndsWith("So far: contact 37765128902 created, the company perhaps stored.\n", run.Stderr, StringComparison.Ordinal);
        Assert.Contains("HubSpot answered 502 INTERNAL_ERROR while creating the company; checking in 5 s whether HubSpot " +
            "stored it.", run.Stdout, StringComparison.Ordinal);
        Assert.Equal([Route.CreateContact, Route.SearchCompanies, Route.CreateCompany, Route.ReadContact],
            world.Routes[..4]);
        rerun.ShouldExitWith(0);
        world.ShouldHaveConverged();
    }

    [Fact]
    public async Task ALostAnswerAfterHubSpotStoredTheCompanyIsFoundByTheLookFiveSecondsLater()
    {
        await using var world = await World.StartAsync();
        world.HubSpot.Inject(Route.CreateCompany, Fault.Presets["lost-answer-after-storing"].Fault);

        var run = (await world.RunAsync()).ShouldExitWith(0);

        Assert.Contains("Company 20185735002 created", run.Stdout, StringComparison.Ordinal);
        Assert.Single(world.HubSpot.Requests, r => r.Route == Route.CreateCompany);
        var look = world.HubSpot.Requests.Single(r => r.Route == Route.ReadContact).At;
        var create = world.HubSpot.Requests.Single(r => r.Route == Route.CreateCompany).At;
        Assert.InRange((look - create).TotalSeconds, 5, 7);
        world.ShouldHaveConverged();
    }

    [Theory]
    [InlineData(503)]
    [InlineData(521)]
    public async Task ACreateHubSpotDidNotHandleIsSentAgain(int status)
    {
        await using var world = await World.StartAsync();
        world.HubSpot.Inject(Route.CreateCompany, Fault.Error(status, "INTERNAL_ERROR", "Unavailable"));

        var run = (await world.RunAsync()).ShouldExitWith(0);

        Assert.Contains($"HubSpot answered {status} INTERNAL_ERROR while creating the company; trying again in ",
            run.Stdout, StringComparison.Ordinal);
        Assert.Equal(2, world.HubSpot.Requests.Count(r => r.Route == Route.CreateCompany));
        world.ShouldHaveConverged();
    }

    [Fact]
    public async Task RateLimitsAndA503TogetherSendAtMostFourCreates()
    {
        await using var world = await World.StartAsync();
        world.HubSpot.Inject(Route.CreateCompany, Fault.RateLimit("TEN_SECONDLY_ROLLING", retryAfter: 1), times: 3);
        world.HubSpot.Inject(Route.CreateCompany, Fault.Error(503, "INTERNAL_ERROR", "Unavailable"));

        var run = await world.RunAsync();

        run.ShouldFailWith(1, "HubSpot answered 503 INTERNAL_ERROR while creating the company: Unavailable. Run again later. " +
            "Gave up after 4 attempts.");
        Assert.Equal(4, world.HubSpot.Requests.Count(r => r.Route == Route.CreateCompany));
        Assert.Empty(world.HubSpot.Companies);
    }
}
