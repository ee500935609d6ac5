using FakeHubSpot;

using Xunit;

namespace HubSpotChallenge.Tests;

/// <summary>Ctrl+C (SIGINT) and SIGTERM: the run stops at once with exit code 130 and says what exists.</summary>
public sealed class CancellationTests
{
    [Fact]
    public async Task CtrlCDuringARetryWaitStopsTheRunAtOnce()
    {
        await using var world = await World.StartAsync();
        world.HubSpot.Inject(Route.SearchCompanies, Fault.RateLimit("TEN_SECONDLY_ROLLING", retryAfter: 30));

        var started = DateTime.UtcNow;
        var run = await world.RunAndSignalAsync(World.SIGINT, () => world.Routes.Contains(Route.SearchCompanies), 300);

        Assert.Equal("Cancelled.\nSo far: contact 37765128902 created, no company yet. Running again is safe: it " +
            "reuses what exists and creates only what is missing.\n", run.ShouldExitWith(130).Stderr);
        Assert.True(DateTime.UtcNow - started < TimeSpan.FromSeconds(10), "The run sat through the wait.");
        Assert.Equal(2, world.HubSpot.Requests.Count);
    }

    [Fact]
    public async Task CtrlCWhileTheCompanyCreateIsOnItsWaySaysItMayBeStoredAndARerunMakesNoSecond()
    {
        await using var world = await World.StartAsync();
        world.HubSpot.Inject(Route.CreateCompany, new(DelayMs: 1500, Stores: true));

        var run = await world.RunAndSignalAsync(World.SIGINT, () => world.Routes.Contains(Route.CreateCompany), 300);
        await Task.Delay(1500, TestContext.Current.CancellationToken);
        var rerun = (await world.RunAsync()).ShouldExitWith(0);

        run.ShouldFailWith(130, "Cancelled while creating the company: HubSpot may have stored it. Run again in a minute");
        Assert.EndsWith("So far: contact 37765128902 created, the company perhaps stored.\n", run.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("checking", run.Stdout, StringComparison.Ordinal);
        Assert.Contains("Company 20185735002 already existed", rerun.Stdout, StringComparison.Ordinal);
        world.ShouldHaveConverged();
    }

    [Fact]
    public async Task CtrlCWhileTheLookWaitsStopsAtOnceAndLeavesTheCompanyInDoubt()
    {
        await using var world = await World.StartAsync();
        world.HubSpot.Inject(Route.CreateCompany, Fault.Error(500, "INTERNAL_ERROR", "Trouble"));

        var started = DateTime.UtcNow;
        var run = await world.RunAndSignalAsync(World.SIGINT, () => world.Routes.Contains(Route.CreateCompany), 1000);

        run.ShouldFailWith(130, "Cancelled while creating the company: HubSpot may have stored it.");
        Assert.EndsWith("the company perhaps stored.\n", run.Stderr, StringComparison.Ordinal);
        Assert.True(DateTime.UtcNow - started < TimeSpan.FromSeconds(5), "The run sat through the 5 s before the look.");
    }

    [Fact]
    public async Task SigtermDuringASlowSearchStopsTheRunLikeCtrlC()
    {
        await using var world = await World.StartAsync();
        world.HubSpot.Inject(Route.SearchCompanies, new(DelayMs: 20_000));

        var run = await world.RunAndSignalAsync(World.SIGTERM, () => world.Routes.Contains(Route.SearchCompanies), 300);

        run.ShouldFailWith(130, "Cancelled.");
        Assert.Empty(world.HubSpot.Companies);
    }

    [Fact]
    public async Task StandardOutputThatCannotBeWrittenEndsInOneLineNamingTheStep()
    {
        Assert.SkipUnless(File.Exists("/dev/full"), "Needs /dev/full, a device that is always full.");
        await using var world = await World.StartAsync();
        var app = world.App;
        world.App = ["/bin/sh", "-c", "exec \"$@\" >/dev/full", "sh", .. app];

        var run = await world.RunAsync();
        world.App = app;
        (await world.RunAsync()).ShouldExitWith(0);

        run.ShouldFailWith(1, "Stopped by an unexpected IOException while creating the contact: No space left on device");
        world.ShouldHaveConverged();
    }
}
