using FakeHubSpot;

using Xunit;

namespace HubSpotChallenge.Tests;

/// <summary>A company create HubSpot did not handle is sent again, within the four attempts.</summary>
public sealed class ResendTests
{
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
