using FakeHubSpot;

using Xunit;

namespace HubSpotChallenge.Tests;

/// <summary>The README's "never twice": a company create that HubSpot may have carried out is not sent again; one
/// it did not handle is.</summary>
public sealed class NeverTwiceTests
{
    [Fact]
    public Task ACreateInDoubtIsNotSentAgainAndWhenTheLookMissesItARerunCreatesIt() => InDoubtAsync(502, lookFails: false);

    /// <summary>A company create answered <paramref name="status"/>, then the look 5 s later: it misses, or fails.</summary>
    internal static async Task InDoubtAsync(int status, bool lookFails)
    {
        await using var world = await World.StartAsync();
        world.HubSpot.Inject(Route.CreateCompany, Fault.Error(status, "INTERNAL_ERROR", "Trouble"));
        if (lookFails)
        {
            world.HubSpot.Inject(Route.ReadContact, Fault.Error(401, "INVALID_AUTHENTICATION", "Expired."));
        }

        var run = await world.RunAsync();
        var rerun = await world.RunAsync();

        run.ShouldFailWith(1, $"HubSpot may have stored the company (HubSpot answered {status} INTERNAL_ERROR), so the " +
            $"create was not sent again. Run again in a minute", Fault.CorrelationId);
        Assert.EndsWith("So far: contact 37765128902 created, the company perhaps stored.\n", run.Stderr, StringComparison.Ordinal);
        Assert.Contains($"HubSpot answered {status} INTERNAL_ERROR while creating the company; checking in 5 s whether " +
            "HubSpot stored it.", run.Stdout, StringComparison.Ordinal);
        // One look, and the rerun's first request next.
        Assert.Equal([Route.CreateContact, Route.SearchCompanies, Route.CreateCompany, Route.ReadContact,
            Route.CreateContact], world.Routes[..5]);
        rerun.ShouldExitWith(0);
        world.ShouldHaveConverged();
    }
}

/// <summary>A look that fails leaves the company in doubt, as one that misses does; in a class of its own, so that
/// the two 5 s looks run side by side.</summary>
public sealed class LookFailureTests
{
    [Fact]
    public Task ACreateNotRetriedButPerhapsDoneStaysInDoubtWhenTheLookFails() =>
        NeverTwiceTests.InDoubtAsync(501, lookFails: true);
}
