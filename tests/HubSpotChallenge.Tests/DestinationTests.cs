using System.Net;
using System.Net.Sockets;
using System.Text;

using FakeHubSpot;

using Xunit;

namespace HubSpotChallenge.Tests;

/// <summary>Requests go only where the user pointed them.</summary>
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
