using Xunit;

namespace HubSpotChallenge.Tests;

/// <summary>Streams that cannot be written: the run still finishes what it started, and ends without a stack trace.</summary>
public sealed class SurroundingsTests
{
    [Theory]
    [InlineData(">/dev/full")]
    [InlineData(">&-")]
    public async Task StandardOutputThatCannotBeWrittenStillFinishesTheRunAndExitsWith1(string redirect)
    {
        await using var scenario = await Scenario.StartAsync();

        var run = (await scenario.RunAsync([], whileRunning: null, shellRedirect: redirect)).ShouldExitWith(1);

        Expect.Converged(scenario);
        var line = Assert.Single(run.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("Standard output could not be written (", line, StringComparison.Ordinal);
        Assert.Contains($"contact {scenario.HubSpot.Contacts[0].Id} created", line, StringComparison.Ordinal);
        Assert.Contains("associated", line, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("2>/dev/full")]
    [InlineData("2>&-")]
    public async Task StandardErrorThatCannotBeWrittenKeepsTheDocumentedExitCode(string redirect)
    {
        await using var scenario = await Scenario.StartAsync();
        scenario.Environment["HUBSPOT_KEY"] = "pat-na1-this-token-is-fake-and-wrong";

        var run = (await scenario.RunAsync([], whileRunning: null, shellRedirect: redirect)).ShouldExitWith(1);

        Assert.Equal("", run.Stderr);
        Assert.DoesNotContain("   at ", run.Stdout, StringComparison.Ordinal);
        Assert.Single(scenario.HubSpot.Requests);
    }

    [Fact]
    public async Task HelpToAFullDiskExitsWith1()
    {
        await using var scenario = await Scenario.StartAsync();

        var run = (await scenario.RunAsync(["--help"], whileRunning: null, shellRedirect: ">/dev/full")).ShouldExitWith(1);

        Assert.StartsWith("Standard output could not be written", run.Stderr, StringComparison.Ordinal);
    }
}
