using System.Net;
using System.Net.Sockets;
using System.Text;

using FakeHubSpot;

using Xunit;

namespace HubSpotChallenge.Tests;

/// <summary>Requests go only where the user pointed them, and the count the app prints is what arrived, paced.</summary>
public sealed class DestinationTests
{
    [Fact]
    public async Task AProxyIsNotUsedForThisMachineSoItNeverSeesTheToken()
    {
        await using var scenario = await Scenario.StartAsync();
        using var proxy = new Listener();
        scenario.Environment["http_proxy"] = $"http://127.0.0.1:{proxy.Port}";
        scenario.Environment["HTTP_PROXY"] = $"http://127.0.0.1:{proxy.Port}";

        var run = (await scenario.RunAsync()).ShouldExitWith(0);

        Expect.Converged(scenario);
        Assert.Equal(0, proxy.Connections);
        Assert.Contains($"Done: 4 requests to {scenario.HubSpot.BaseUrl.Authority}.", run.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AProxyInUseForHubSpotIsNamedInTheLastLine()
    {
        await using var scenario = await Scenario.StartAsync();
        using var proxy = new Listener();
        scenario.Environment["HUBSPOT_BASE_URL"] = "https://hubspot-challenge.invalid";
        scenario.Environment["https_proxy"] = $"http://127.0.0.1:{proxy.Port}";

        var run = (await scenario.RunAsync()).ShouldExitWith(1);

        Expect.OneClearFailure(run, $"No usable answer from HubSpot at hubspot-challenge.invalid through the proxy 127.0.0.1:{proxy.Port} while creating the contact:");
        Assert.Equal(1, proxy.Connections);
    }

    [Fact]
    public async Task AConnectionClosedUnansweredIsRetriedByTheAppAloneSoTheServerSeesWhatTheAppCountsPaced()
    {
        await using var scenario = await Scenario.StartAsync();
        scenario.HubSpot.Inject(Route.AssociateDefault, Fault.CloseWithoutAnswer());

        var run = (await scenario.RunAsync()).ShouldExitWith(0);

        var requests = scenario.HubSpot.Requests;
        Assert.Contains($"Done: {requests.Count} requests to ", run.Stdout, StringComparison.Ordinal);
        Assert.Equal(2, requests.Count(r => r.Route == Route.AssociateDefault));
        for (var i = 1; i < requests.Count; i++)
        {
            var gap = requests[i].ArrivedAfterStart - requests[i - 1].ArrivedAfterStart;
            Assert.True(gap >= TimeSpan.FromMilliseconds(195), $"Requests {i} and {i + 1} arrived {gap.TotalMilliseconds:0} ms apart.{Environment.NewLine}{run}");
        }
    }

    [Fact]
    public async Task ARefusedConnectionIsNotCountedAsARequestSent()
    {
        await using var scenario = await Scenario.StartAsync();
        using var reserved = new TcpListener(IPAddress.Loopback, 0);
        reserved.Start();
        var port = ((IPEndPoint)reserved.LocalEndpoint).Port;
        reserved.Stop();
        scenario.Environment["HUBSPOT_BASE_URL"] = $"http://127.0.0.1:{port}";
        FakeHubSpotServer? late = null;

        // HubSpot comes up on that port only after the first attempt was refused.
        var run = await scenario.RunAsync([], async _ =>
        {
            await Task.Delay(1500, TestContext.Current.CancellationToken);
            late = await FakeHubSpotServer.StartAsync(port);
        });

        await using var hub = late!;
        run.ShouldExitWith(0);
        Assert.Contains("Creating the contact: the connection was refused or failed; trying again", run.Stdout, StringComparison.Ordinal);
        Assert.Contains($"Done: {hub.Requests.Count} requests to 127.0.0.1:{port}.", run.Stdout, StringComparison.Ordinal);
    }

    /// <summary>A proxy that refuses every tunnel with 502, and counts the connections it gets.</summary>
    sealed class Listener : IDisposable
    {
        readonly TcpListener _listener = new(IPAddress.Loopback, 0);
        int _connections;

        public Listener()
        {
            _listener.Start();
            _ = Task.Run(async () =>
            {
                while (true)
                {
                    using var client = await _listener.AcceptTcpClientAsync();
                    Interlocked.Increment(ref _connections);
                    var stream = client.GetStream();
                    _ = await stream.ReadAsync(new byte[4096]);
                    await stream.WriteAsync(Encoding.ASCII.GetBytes("HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"));
                }
            });
        }

        public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

        public int Connections => Volatile.Read(ref _connections);

        public void Dispose() => _listener.Stop();
    }
}
