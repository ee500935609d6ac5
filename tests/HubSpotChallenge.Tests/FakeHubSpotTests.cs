using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

using FakeHubSpot;

using Xunit;

namespace HubSpotChallenge.Tests;

/// <summary>The fake itself: as difficult as HubSpot, and plain to start from a terminal.</summary>
public sealed class FakeHubSpotTests
{
    [Fact]
    public async Task ItsSearchLagsANewCompanyWhileABatchReadSeesItAndItRefusesABodyWithoutWhatTheSchemaRequires()
    {
        await using var world = await World.StartAsync();
        (await world.RunAsync()).ShouldExitWith(0);
        using var http = new HttpClient { BaseAddress = world.HubSpot.BaseUrl };
        http.DefaultRequestHeaders.Authorization = new("Bearer", FakeHubSpotServer.Token);
        var search = """
            {"filterGroups":[{"filters":[{"propertyName":"domain","operator":"EQ","value":"coding-challenge-company.com"}]}],
             "properties":["domain"],"sorts":[{"propertyName":"createdate","direction":"ASCENDING"}],"after":"0","limit":100}
            """;

        var lagging = await PostAsync(http, "companies/search", search);
        var read = await PostAsync(http, "companies/batch/read",
            """{"inputs":[{"id":"20185735002"}],"properties":["domain"],"propertiesWithHistory":[]}""");
        var withoutAfter = await PostAsync(http, "companies/search", search.Replace("\"after\":\"0\",", "",
            StringComparison.Ordinal));

        Assert.Contains("\"total\":0", lagging, StringComparison.Ordinal);
        Assert.Contains("\"id\":\"20185735002\"", read, StringComparison.Ordinal);
        Assert.Contains("\"category\":\"VALIDATION_ERROR\"", withoutAfter, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--port", "70000", 2, "--port takes a number from 0 to 65535")]
    [InlineData("--fault", "sunny", 2, "Unknown fault 'sunny'. The fake knows: rate-limit")]
    [InlineData("--port", "taken", 1, "is taken, perhaps by a fake still running: stop it, or add --port")]
    public async Task RunAloneItSaysInOneLineWhatIsWrongWithItsArguments(string option, string value, int exitCode,
        string line)
    {
        using var taken = new TcpListener(IPAddress.Loopback, 0);
        taken.Start();
        var start = new ProcessStartInfo("dotnet") { RedirectStandardError = true, RedirectStandardOutput = true };
        string port = value == "taken" ? $"{((IPEndPoint)taken.LocalEndpoint).Port}" : value;
        foreach (var arg in new[] { Path.Combine(AppContext.BaseDirectory, "FakeHubSpot.dll"), option, port })
        {
            start.ArgumentList.Add(arg);
        }

        using var fake = Process.Start(start)!;
        var stderr = await fake.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        await fake.WaitForExitAsync(TestContext.Current.CancellationToken);

        Assert.Equal(exitCode, fake.ExitCode);
        Assert.Contains(line, stderr, StringComparison.Ordinal);
        Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }

    static async Task<string> PostAsync(HttpClient http, string path, string body)
    {
        using var content = new StringContent(body, System.Text.Encoding.UTF8, "application/json");
        using var response = await http.PostAsync($"/crm/objects/2026-09/{path}", content);
        return await response.Content.ReadAsStringAsync();
    }
}
