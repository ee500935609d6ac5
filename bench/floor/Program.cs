using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

using DotNetEnv;

// The minimal program of the card's shape: .env, one HttpClient, 200 ms before each of the four calls,
// ids read with JsonDocument. No validation, retries or error handling: the floor the app is measured against.
Env.NoClobber().Load();
var baseUrl = Environment.GetEnvironmentVariable("HUBSPOT_BASE_URL") ?? "https://api.hubapi.com";
var email = $"{Environment.GetEnvironmentVariable("FIRSTNAME")}.{Environment.GetEnvironmentVariable("LASTNAME")}@example.com".ToLowerInvariant();

using var http = new HttpClient();
http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Environment.GetEnvironmentVariable("HUBSPOT_KEY"));

var contactId = await IdAsync(HttpMethod.Post, "/crm/objects/2026-09/contacts",
    $$"""{"properties":{"email":"{{email}}","firstname":"{{Environment.GetEnvironmentVariable("FIRSTNAME")}}","lastname":"{{Environment.GetEnvironmentVariable("LASTNAME")}}"},"associations":[]}""");
await IdAsync(HttpMethod.Post, "/crm/objects/2026-09/companies/search",
    """{"filterGroups":[{"filters":[{"propertyName":"domain","operator":"EQ","value":"coding-challenge-company.com"}]}],"properties":["name","domain"],"sorts":[{"propertyName":"createdate","direction":"ASCENDING"}],"after":"0","limit":100}""");
var companyId = await IdAsync(HttpMethod.Post, "/crm/objects/2026-09/companies",
    """{"properties":{"name":"Coding Challenge Company GmbH","domain":"coding-challenge-company.com"},"associations":[]}""");
await IdAsync(HttpMethod.Put, $"/crm/objects/2026-09/contacts/{contactId}/associations/default/companies/{companyId}", null);
Console.WriteLine($"Contact {contactId} associated with company {companyId}.");

// The card's helper: 200 ms before each call, then the answer's id (or, for a list, how many results).
async Task<string?> IdAsync(HttpMethod method, string path, string? body)
{
    await Task.Delay(200);
    using var request = new HttpRequestMessage(method, baseUrl + path);
    if (body is not null)
    {
        request.Content = new StringContent(body, Encoding.UTF8, "application/json");
    }

    using var response = await http.SendAsync(request);
    using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
    var root = json.RootElement;
    return root.TryGetProperty("id", out var id) ? id.GetString()
        : root.TryGetProperty("results", out var results) ? $"{results.GetArrayLength()} results"
        : null;
}
