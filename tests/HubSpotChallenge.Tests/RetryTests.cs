using FakeHubSpot;

using Xunit;

namespace HubSpotChallenge.Tests;

/// <summary>Passing failures are retried through the one paced loop, four attempts at most.</summary>
public sealed class RetryTests
{
    [Fact]
    public async Task ServerTroubleIsRetriedWithBackoffAndCreatesOneContact()
    {
        await using var scenario = await Scenario.StartAsync();
        scenario.HubSpot.Inject(Route.CreateContact, Fault.ServerError(503), times: 2);

        var run = (await scenario.RunAsync()).ShouldExitWith(0);

        Expect.Converged(scenario);
        var attempts = scenario.HubSpot.Requests.Where(r => r.Route == Route.CreateContact).Select(r => r.ArrivedAfterStart).ToList();
        Assert.Equal(3, attempts.Count);
        // About 1 s, then 2 s (each ±20%), each after the 200 ms pace: measured at the fake.
        Assert.True(attempts[1] - attempts[0] >= TimeSpan.FromMilliseconds(990), $"The first retry came {(attempts[1] - attempts[0]).TotalMilliseconds:0} ms after.");
        Assert.True(attempts[2] - attempts[1] >= TimeSpan.FromMilliseconds(1790), $"The second retry came {(attempts[2] - attempts[1]).TotalMilliseconds:0} ms after.");
        Assert.Contains("Creating the contact: HubSpot answered 503 INTERNAL_ERROR; trying again in ", run.Stdout, StringComparison.Ordinal);
        Assert.Contains("(attempt 3 of 4)", run.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ADroppedConnectionOnTheAssociationIsRetried()
    {
        await using var scenario = await Scenario.StartAsync();
        scenario.HubSpot.Inject(Route.AssociateDefault, Fault.DropConnection());

        (await scenario.RunAsync()).ShouldExitWith(0);

        Expect.Converged(scenario);
        Assert.Single(scenario.HubSpot.Associations);
        Assert.Equal(2, scenario.HubSpot.Requests.Count(r => r.Route == Route.AssociateDefault));
    }

    [Fact]
    public async Task ALostAnswerOnContactCreationIsResolvedByTheConflict()
    {
        await using var scenario = await Scenario.StartAsync();
        scenario.HubSpot.Inject(Route.CreateContact, Fault.LoseAnswerAfterStoring());

        var run = (await scenario.RunAsync()).ShouldExitWith(0);

        Expect.Converged(scenario);
        Assert.Equal(2, scenario.HubSpot.Requests.Count(r => r.Route == Route.CreateContact));
        Assert.Contains($"Contact {scenario.HubSpot.Contacts[0].Id} already existed", run.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ARefusedConnectionIsTriedFourTimesAndNamesTheHost()
    {
        await using var scenario = await Scenario.StartAsync();
        // Bound and kept, but never listening: every connection is refused, and no other test can take the port.
        using var closed = new System.Net.Sockets.Socket(System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Tcp);
        closed.Bind(new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, 0));
        var port = ((System.Net.IPEndPoint)closed.LocalEndPoint!).Port;
        scenario.Environment["HUBSPOT_BASE_URL"] = $"http://127.0.0.1:{port}";

        var run = (await scenario.RunAsync()).ShouldExitWith(1);

        Expect.OneClearFailure(run,
            $"No usable answer from HubSpot at 127.0.0.1:{port} while creating the contact: the connection was refused or failed. Check HUBSPOT_BASE_URL and your connection. Gave up after 4 attempts.");
        Assert.Equal(3, run.Stdout.Split('\n').Count(l => l.Contains("trying again", StringComparison.Ordinal)));
    }
}
