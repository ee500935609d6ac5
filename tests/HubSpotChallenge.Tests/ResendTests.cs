using FakeHubSpot;

using Xunit;

namespace HubSpotChallenge.Tests;

/// <summary>A company create that HubSpot says it did not handle is sent again.</summary>
public sealed class ResendTests
{
    [Theory]
    // HubSpot's JSON and Cloudflare's page; the other statuses that say so are rows of RetryPolicyRules.
    [InlineData(503)]
    [InlineData(521)]
    public async Task AStatusThatSaysHubSpotDidNotHandleTheCompanyCreateSendsItAgain(int status)
    {
        await using var scenario = await Scenario.StartAsync();
        scenario.HubSpot.Inject(Route.CreateCompany, status == 503 ? Fault.ServerError(503) : Fault.EdgePage(status));

        var run = (await scenario.RunAsync()).ShouldExitWith(0);

        Expect.Converged(scenario);
        Assert.Single(scenario.HubSpot.Companies);
        Assert.Equal(2, scenario.HubSpot.Requests.Count(r => r.Route == Route.CreateCompany));
        Assert.Contains($"Creating the company: HubSpot answered {status}", run.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("whether HubSpot stored it", run.Stdout, StringComparison.Ordinal);
    }
}
