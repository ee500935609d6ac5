using FakeHubSpot;

using Xunit;

namespace HubSpotChallenge.Tests;

/// <summary>What nothing in the program foresees ends at its last boundary: one line, exit code 1, never a stack trace.</summary>
public sealed class SurroundingsTests
{
    [Theory]
    [InlineData(">/dev/full", "IOException while creating the contact: No space left on device.")]
    [InlineData(">&-", "UnauthorizedAccessException while creating the contact: Access to the path is denied.")]
    public async Task StandardOutputThatCannotBeWrittenStopsTheRunWithOneLineAndARerunCreatesNothingTwice(string redirect, string expected)
    {
        await using var scenario = await Scenario.StartAsync();

        var run = (await scenario.RunAsync([], whileRunning: null, shellRedirect: redirect)).ShouldExitWith(1);
        (await scenario.RunAsync()).ShouldExitWith(0);

        Expect.OneClearFailure(run, $"Stopped by an unexpected {expected}");
        Assert.Contains($"So far: contact {scenario.HubSpot.Contacts[0].Id} created, no company yet.", run.Stderr, StringComparison.Ordinal);
        Expect.Converged(scenario);
    }

    [Theory]
    [InlineData("2>/dev/full")]
    [InlineData("2>&-")]
    public async Task StandardErrorThatCannotBeWrittenKeepsTheDocumentedExitCode(string redirect)
    {
        await using var scenario = await Scenario.StartAsync();
        scenario.Environment["HUBSPOT_KEY"] = "pat-na1-this-token-is-fake-and-wrong";

        var run = (await scenario.RunAsync([], whileRunning: null, shellRedirect: redirect)).ShouldExitWith(1);

        Assert.Single(scenario.HubSpot.Requests);
    }
}
