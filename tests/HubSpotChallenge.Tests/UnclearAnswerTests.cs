using FakeHubSpot;

using Xunit;

namespace HubSpotChallenge.Tests;

/// <summary>
/// Answers that leave it unclear what HubSpot did: a body cut short, a Cloudflare edge page. Each ends in a retry that
/// succeeds, and never in a second company; a company create in doubt is NeverTwiceTests' and the README's bad day.
/// </summary>
public sealed class UnclearAnswerTests
{
    [Theory]
    // Any request's body cut short is the same exception (the "cut" row of RetryPolicyRules); the re-run's reads below.
    [InlineData(Route.CreateContact, "Creating the contact")]
    public async Task ABodyCutShortIsRetriedAndTheRunSucceeds(Route route, string step)
    {
        await using var scenario = await Scenario.StartAsync();
        scenario.HubSpot.Inject(route, Fault.CutBodyShort());

        var run = (await scenario.RunAsync()).ShouldExitWith(0);

        Expect.Converged(scenario);
        Assert.Equal(2, scenario.HubSpot.Requests.Count(r => r.Route == route));
        Assert.Contains($"{step}: the connection closed before the whole answer arrived; trying again in ", run.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ABodyCutShortOnARerunsReadsIsRetried()
    {
        await using var scenario = await Scenario.StartAsync();
        (await scenario.RunAsync()).ShouldExitWith(0);
        scenario.HubSpot.Inject(Route.ReadContact, Fault.CutBodyShort());
        scenario.HubSpot.Inject(Route.ReadCompanies, Fault.CutBodyShort());

        var rerun = (await scenario.RunAsync()).ShouldExitWith(0);

        Expect.Converged(scenario);
        Assert.Contains($"Company {scenario.HubSpot.Companies[0].Id} already existed", rerun.Stdout, StringComparison.Ordinal);
        Assert.Equal(2, rerun.Stdout.Split('\n').Count(l => l.StartsWith("Reading the contact's companies: the connection closed", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task ACloudflareEdgePageIsServerTroubleAndIsRetried()
    {
        await using var scenario = await Scenario.StartAsync();
        scenario.HubSpot.Inject(Route.CreateContact, Fault.EdgePage(520));

        var run = (await scenario.RunAsync()).ShouldExitWith(0);

        Expect.Converged(scenario);
        Assert.Equal(2, scenario.HubSpot.Requests.Count(r => r.Route == Route.CreateContact));
        Assert.Contains("Creating the contact: HubSpot answered 520; trying again in ", run.Stdout, StringComparison.Ordinal);
    }
}
