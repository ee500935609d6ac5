using System.Globalization;
using FakeHubSpot;

// Serves the fake on a chosen loopback port so a person can try the app without a HubSpot account:
//   dotnet run --project tests/FakeHubSpot -- [--port 5123] [--token TOKEN]
var port = 5123;
var token = FakeHubSpotServer.DefaultToken;
for (var i = 0; i + 1 < args.Length; i += 2)
{
    switch (args[i])
    {
        case "--port":
            port = int.Parse(args[i + 1], CultureInfo.InvariantCulture);
            break;
        case "--token":
            token = args[i + 1];
            break;
        default:
            await Console.Error.WriteLineAsync($"Unknown argument '{args[i]}'. Usage: FakeHubSpot [--port N] [--token TOKEN]");
            return 2;
    }
}

await using var server = await FakeHubSpotServer.StartAsync(port, token);
Console.WriteLine($"Fake HubSpot listening on {server.BaseUrl}");
Console.WriteLine("In .env (or the environment) for the app:");
Console.WriteLine($"  HUBSPOT_BASE_URL={server.BaseUrl.ToString().TrimEnd('/')}");
Console.WriteLine($"  HUBSPOT_KEY={token}");
Console.WriteLine("Every request is printed below. Press Ctrl+C to stop.");

var stop = new TaskCompletionSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    stop.TrySetResult();
};

var shown = 0;
while (!stop.Task.IsCompleted)
{
    await Task.WhenAny(stop.Task, Task.Delay(100));
    var requests = server.Requests;
    for (; shown < requests.Count; shown++)
    {
        var r = requests[shown];
        Console.WriteLine($"{r.ArrivedAt:HH:mm:ss.fff} {r.Method} {r.Path}{r.Query}");
    }
}

Console.WriteLine($"Stored {server.Contacts.Count} contact(s), {server.Companies.Count} company(ies), {server.Associations.Count} association(s).");
return 0;
