using System.Globalization;
using FakeHubSpot;

// The fake HubSpot alone, to try the app without an account:
//   dotnet run --project tests/FakeHubSpot -- [--port 5123] [--fault NAME]
// Port 0 picks a free one. Each request is printed; Ctrl+C stops it.
string? Option(string name) =>
    args.SkipWhile(arg => arg != name).Skip(1).FirstOrDefault();
var faultName = Option("--fault");
if (faultName is not null && !Fault.Presets.ContainsKey(faultName))
{
    var known = string.Join(", ", Fault.Presets.Keys);
    Console.Error.WriteLine($"Unknown fault '{faultName}'. The fake knows: {known}.");
    return 2;
}

var port = int.Parse(Option("--port") ?? "5123", CultureInfo.InvariantCulture);
await using var server = await FakeHubSpotServer.StartAsync(port);
server.Log = Console.WriteLine;
var (url, token) = (server.BaseUrl.ToString().TrimEnd('/'), server.Token);
var lag = server.SearchLag.TotalSeconds;
Console.WriteLine($"""
    Fake HubSpot listening on {url}
    For the app, in bash or zsh: export HUBSPOT_BASE_URL={url} HUBSPOT_KEY='{token}'
    For the app, in PowerShell: $env:HUBSPOT_BASE_URL = '{url}'; $env:HUBSPOT_KEY = '{token}'
    It keeps its records only while it runs. Its search lags writes by {lag} s, as HubSpot's does. Ctrl+C stops it.
    """);
if (faultName is not null)
{
    var (route, fault) = Fault.Presets[faultName];
    server.Inject(route, fault);
    Console.WriteLine($"A bad day: {faultName} meets the next request of its kind.");
}

await server.WaitForShutdownAsync();
Console.WriteLine("Stopped. The fake keeps its records only while it runs:"
    + $" its {server.Contacts.Count} contact(s), {server.Companies.Count}"
    + $" company(ies) and {server.Associations.Count} association(s) are gone.");
return 0;
