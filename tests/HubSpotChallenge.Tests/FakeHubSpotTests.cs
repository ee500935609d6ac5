using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;

using FakeHubSpot;

using Xunit;

namespace HubSpotChallenge.Tests;

/// <summary>The fake is as strict and as slow to index as HubSpot, so the app's tests cannot pass on a kind fake.</summary>
public sealed class FakeHubSpotTests
{
    const string Search = "/crm/objects/2026-09/companies/search";
    const string SearchBody = """
        {"filterGroups":[{"filters":[{"propertyName":"domain","operator":"EQ","value":"coding-challenge-company.com"}]}],
         "properties":["domain"],"sorts":[{"propertyName":"createdate","direction":"ASCENDING"}],"after":"0","limit":10}
        """;

    public static TheoryData<string, string> RequestsMissingWhatTheSchemaRequires => new()
    {
        { Search, """{"filterGroups":[],"properties":[],"after":"0","limit":10}""" },
        { Search, """{"filterGroups":[],"properties":[],"sorts":[],"limit":10}""" },
        { Search, """{"filterGroups":[],"properties":[],"sorts":[],"after":"0","limit":201}""" },
        { Search, """{"filterGroups":[{"filters":[{"value":"x"}]}],"properties":[],"sorts":[],"after":"0","limit":10}""" },
        { "/crm/objects/2026-09/companies", """{"properties":{"name":"X","domain":"x.com"}}""" },
        { "/crm/objects/2026-09/companies", """{"properties":{"name":"X"},"associations":[{"to":{"id":"1"},"types":[{"associationCategory":"HUBSPOT_DEFINED","associationTypeId":279}]}]}""" },
        { "/crm/objects/2026-09/contacts", """{"properties":{"email":"a@example.com"}}""" },
        { "/crm/objects/2026-09/companies/batch/read", """{"inputs":[{"id":"1"}],"properties":["domain"]}""" },
        // A null where the schema wants a value, in a dictionary or a list too.
        { "/crm/objects/2026-09/contacts", """{"properties":{"email":null},"associations":[]}""" },
        { "/crm/objects/2026-09/companies/batch/read", """{"inputs":[null],"properties":[],"propertiesWithHistory":[]}""" },
    };

    [Theory]
    [MemberData(nameof(RequestsMissingWhatTheSchemaRequires))]
    public async Task ARequestMissingWhatHubSpotsSchemaRequiresIsRefusedWith400(string path, string body)
    {
        await using var hub = await FakeHubSpotServer.StartAsync();
        using var client = Client(hub);

        using var answer = await client.PostAsync(path, Json(body), TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.BadRequest, answer.StatusCode);
        Assert.Empty(hub.Companies);
        Assert.Empty(hub.Contacts);
    }

    [Fact]
    public async Task SearchMissesANewCompanyUntilTheLagHasPassedWhileABatchReadSeesItAtOnce()
    {
        await using var hub = await FakeHubSpotServer.StartAsync();
        hub.SearchLag = TimeSpan.FromSeconds(1);
        using var client = Client(hub);
        var ct = TestContext.Current.CancellationToken;

        using var created = await client.PostAsync("/crm/objects/2026-09/companies",
            Json("""{"properties":{"name":"X","domain":"coding-challenge-company.com"},"associations":[]}"""), ct);
        var id = JsonNode.Parse(await created.Content.ReadAsStringAsync(ct))!["id"]!.GetValue<string>();
        var before = await TotalAsync();
        using var batch = await client.PostAsync("/crm/objects/2026-09/companies/batch/read",
            Json($$"""{"inputs":[{"id":"{{id}}"}],"properties":["domain"],"propertiesWithHistory":[]}"""), ct);
        var batchResults = JsonNode.Parse(await batch.Content.ReadAsStringAsync(ct))!["results"]!.AsArray();
        await Task.Delay(TimeSpan.FromSeconds(1.2), ct);
        var after = await TotalAsync();

        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.Equal(0, before);
        Assert.Equal(id, Assert.Single(batchResults)!["id"]!.GetValue<string>());
        Assert.Equal(1, after);

        async Task<int> TotalAsync()
        {
            using var search = await client.PostAsync(Search, Json(SearchBody), ct);
            Assert.Equal(HttpStatusCode.OK, search.StatusCode);
            return JsonNode.Parse(await search.Content.ReadAsStringAsync(ct))!["total"]!.GetValue<int>();
        }
    }

    [Fact]
    public async Task ABatchReadOfAnIdThatDoesNotExistAnswers200WithTheIdInItsErrors()
    {
        await using var hub = await FakeHubSpotServer.StartAsync();
        var company = hub.SeedCompany("X", "x.example", DateTimeOffset.UtcNow);
        using var client = Client(hub);
        var ct = TestContext.Current.CancellationToken;

        using var read = await client.PostAsync("/crm/objects/2026-09/companies/batch/read",
            Json($$"""{"inputs":[{"id":"{{company.Id}}"},{"id":"404"}],"properties":["domain"],"propertiesWithHistory":[]}"""), ct);
        var answer = JsonNode.Parse(await read.Content.ReadAsStringAsync(ct))!;

        Assert.Equal(HttpStatusCode.OK, read.StatusCode);
        Assert.Equal(company.Id, Assert.Single(answer["results"]!.AsArray())!["id"]!.GetValue<string>());
        Assert.Equal(1, answer["numErrors"]!.GetValue<int>());
        Assert.Equal("404", answer["errors"]![0]!["context"]!["ids"]![0]!.GetValue<string>());
    }

    [Fact]
    public async Task RunAloneItPrintsOneLinePerRequestWithMethodPathAndStatusAndStopsOnSigterm()
    {
        Posix.Require("SIGTERM sent through libc");
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var arg in new[] { Path.Combine(AppContext.BaseDirectory, "FakeHubSpot.dll"), "--port", "0" })
        {
            start.ArgumentList.Add(arg);
        }

        using var fake = Process.Start(start)!;
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(30));
        try
        {
            var url = (await fake.StandardOutput.ReadLineAsync(timeout.Token))!.Split(' ')[^1];
            using var client = new HttpClient { BaseAddress = new Uri(url) };
            using var refused = await client.PostAsync("/crm/objects/2026-09/contacts", Json("{}"), timeout.Token);
            var line = await fake.StandardOutput.ReadLineAsync(timeout.Token);
            while (line is not null && !line.Contains(" POST ", StringComparison.Ordinal))
            {
                line = await fake.StandardOutput.ReadLineAsync(timeout.Token);
            }

            Posix.Send(fake.Id, Posix.SIGTERM);
            var rest = await fake.StandardOutput.ReadToEndAsync(timeout.Token);
            await fake.WaitForExitAsync(timeout.Token);

            Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
            Assert.Matches(@"^\d\d:\d\d:\d\d\.\d{3} POST /crm/objects/2026-09/contacts 401$", line);
            Assert.Contains("Stopped. The fake keeps its records only while it runs: its 0 contact(s), 0 company(ies) and 0 association(s) are gone.", rest, StringComparison.Ordinal);
        }
        finally
        {
            if (!fake.HasExited)
            {
                fake.Kill();
            }
        }
    }

    static HttpClient Client(FakeHubSpotServer hub)
    {
        var client = new HttpClient { BaseAddress = hub.BaseUrl };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", hub.Token);
        return client;
    }

    static StringContent Json(string body) => new(body, Encoding.UTF8, "application/json");
}
