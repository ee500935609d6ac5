using FakeHubSpot;

using Xunit;

namespace HubSpotChallenge.Tests;

/// <summary>HubSpot's rate limits: waited out as HubSpot asks, or the run stops.</summary>
public sealed class RateLimitTests
{
    [Fact]
    public async Task ARateLimitIsWaitedOutForTheRetryAfterItGives()
    {
        await using var world = await World.StartAsync();
        world.HubSpot.Inject(Route.CreateContact, Fault.Presets["rate-limit"].Fault);

        var run = (await world.RunAsync()).ShouldExitWith(0);

        var tries = world.HubSpot.Requests.Where(r => r.Route == Route.CreateContact).Select(r => r.At).ToList();
        Assert.InRange((tries[1] - tries[0]).TotalSeconds, 3, 4);
        Assert.Contains("HubSpot answered 429 TEN_SECONDLY_ROLLING while creating the contact; trying again in 3.0 s",
            run.Stdout, StringComparison.Ordinal);
        // Every attempt counts.
        Assert.Contains($"Done: 5 requests to ", run.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SearchsOwnPerSecondLimitIsKnownByItsMessageAndWaitedOutForASecondNotTen()
    {
        await using var world = await World.StartAsync();
        world.HubSpot.Inject(Route.SearchCompanies, new(429, $$"""
            {"status":"error","message":"You have reached your secondly limit.","correlationId":"{{Fault.CorrelationId}}"}
            """));

        (await world.RunAsync()).ShouldExitWith(0);

        var tries = world.HubSpot.Requests.Where(r => r.Route == Route.SearchCompanies).Select(r => r.At).ToList();
        Assert.InRange((tries[1] - tries[0]).TotalSeconds, 1, 2);
    }

    [Fact]
    public async Task TheDailyLimitStopsTheRunAtOnce()
    {
        await using var world = await World.StartAsync();
        world.HubSpot.Inject(Route.CreateContact, Fault.Presets["daily-limit"].Fault);

        var run = await world.RunAsync();

        run.ShouldFailWith(1, "HubSpot answered 429 DAILY while creating the contact: You have reached your daily " +
            "limit. The daily limit resets at midnight in the account's time zone.", Fault.CorrelationId);
        Assert.Single(world.HubSpot.Requests);
    }

    [Fact]
    public async Task ARetryAfterOverAMinuteIsNotSatThrough()
    {
        await using var world = await World.StartAsync();
        world.HubSpot.Inject(Route.CreateContact, Fault.RateLimit("TEN_SECONDLY_ROLLING", retryAfter: 3600));

        var run = await world.RunAsync();

        run.ShouldFailWith(1, "HubSpot asked to wait 3600 s: run again later.");
        Assert.Single(world.HubSpot.Requests);
    }
}
