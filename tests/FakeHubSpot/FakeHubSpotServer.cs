using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace FakeHubSpot;

public enum Route
{
    CreateContact, ReadContact, SearchCompanies,
    CreateCompany, ReadCompanies, AssociateDefault,
}

// Also what a handler gets: a fault may run it after the request.
public sealed record RecordedRequest(string Method, string Path,
    string Query, Dictionary<string, string> Headers, string Body,
    TimeSpan ArrivedAfterStart, Route? Route, string[] Ids)
{
    public string? Header(string name) => Headers.GetValueOrDefault(name);

    public JsonNode? Json => Body.Length == 0 ? null : JsonNode.Parse(Body);

    internal string CorrelationId { get; } = $"{Guid.NewGuid()}";

    internal Reply Error(int status, string category, string message) =>
        Reply.Error(status, CorrelationId, category, message);

    // A query's comma-separated names.
    internal string[] Names(string name) => $"{QueryHelpers.ParseQuery(Query)
        .GetValueOrDefault(name)}".Split(',', StringSplitOptions
            .RemoveEmptyEntries | StringSplitOptions.TrimEntries);
}

// Search sees a record from IndexedAt on.
public sealed record FakeRecord(string Id,
    Dictionary<string, string> Properties, DateTimeOffset IndexedAt)
{
    public string this[string name] => Properties.GetValueOrDefault(name, "");
}

public sealed record Reply(int Status, string Body = "",
    Dictionary<string, string>? Headers = null)
{
    // A field that is absent, null or of another kind than the
    // request's record says is a 400, as in HubSpot's OpenAPI files.
    internal static readonly JsonSerializerOptions Options = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        RespectNullableAnnotations = true,
        RespectRequiredConstructorParameters = true,
    };

    internal static Reply Of(int status, object body) =>
        new(status, JsonSerializer.Serialize(body, Options));

    internal static Reply Error(int status, string correlationId,
        string category, string message) =>
        Of(status, new { status = "error", message, correlationId, category });
}

// HubSpot's CRM API (2026-09) on loopback, as difficult as HubSpot:
// the token, HubSpot's statuses and error bodies, the
// request shapes its OpenAPI files require, unique emails, a search
// that lags writes (reads by id do not), and faults.
public sealed class FakeHubSpotServer : IAsyncDisposable
{
    public const string DefaultToken =
        "pat-na1-11111111-2222-3333-4444-555555555555";

    static readonly string[] Labels =
        ["contact_to_company", "contact_to_company_unlabeled"];

    readonly WebApplication _app;
    readonly Stopwatch _clock = Stopwatch.StartNew();
    readonly Lock _lock = new();
    readonly List<RecordedRequest> _requests = [];
    readonly List<FakeRecord> _contacts = [];
    readonly List<FakeRecord> _companies = [];
    readonly HashSet<(string ContactId, string CompanyId)> _links = [];
    readonly List<(Route, Fault Fault)> _faults = [];
    long _nextContact = 37765128901;
    long _nextCompany = 20185735001;

    // pathBase: a gateway's prefix, which every path must carry.
    FakeHubSpotServer(WebApplication app, string pathBase)
    {
        _app = app;
        var api = app.MapGroup($"{pathBase}/crm/objects/2026-09");
        void Map(string method, string path, Route route,
            Func<RecordedRequest, Reply> handler) => api.MapMethods(path,
                [method], context => HandleAsync(context, route, handler));
        Map("POST", "contacts", Route.CreateContact,
            call => Create(call, _contacts));
        Map("GET", "contacts/{id}", Route.ReadContact, ReadContact);
        Map("POST", "companies/search", Route.SearchCompanies,
            call => Search(Read<SearchBody>(call)));
        Map("POST", "companies", Route.CreateCompany,
            call => Create(call, _companies));
        Map("POST", "companies/batch/read", Route.ReadCompanies,
            call => ReadCompanies(Read<BatchRead>(call)));
        Map("PUT", "contacts/{id}/associations/default/companies/{to}",
            Route.AssociateDefault, Associate);
        // Anything else is 404.
        app.MapFallback("{**path}", context =>
            HandleAsync(context, null, _ => new Reply(404)));
    }

    public Uri BaseUrl { get; private set; } = null!;

    public string Token { get; } = DefaultToken;

    // HubSpot's index lags writes by seconds (once about 30 s).
    public TimeSpan SearchLag { get; set; } = TimeSpan.FromSeconds(3);

    public Action<string>? Log { get; set; }

    public IReadOnlyList<RecordedRequest> Requests =>
        Locked(() => _requests.ToList());

    public IReadOnlyList<FakeRecord> Contacts =>
        Locked(() => _contacts.ToList());

    public IReadOnlyList<FakeRecord> Companies =>
        Locked(() => _companies.ToList());

    public IReadOnlyList<(string ContactId, string CompanyId)>
        Associations => Locked(() => _links.ToList());

    public static async Task<FakeHubSpotServer> StartAsync(int port = 0,
        string pathBase = "")
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
        var app = builder.Build();
        var server = new FakeHubSpotServer(app, pathBase);
        await app.StartAsync();
        server.BaseUrl = new Uri(app.Urls.First());
        return server;
    }

    public Task WaitForShutdownAsync() => _app.WaitForShutdownAsync();

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    // The next requests on the route meet the fault.
    public void Inject(Route route, Fault fault, int times = 1) =>
        Locked(() => _faults.AddRange(Enumerable.Repeat((route, fault),
            times)));

    public FakeRecord SeedContact(string email, string firstName,
        string lastName, string? id = null) => Locked(() => Store(_contacts,
        new()
        {
            ["email"] = email,
            ["firstname"] = firstName,
            ["lastname"] = lastName
        }, DateTimeOffset.UtcNow, true, id));

    public FakeRecord SeedCompany(string name, string domain,
        DateTimeOffset createdAt, string? id = null, bool indexed = true)
        => Locked(() => Store(_companies, new()
        {
            ["name"] = name,
            ["domain"] = domain
        }, createdAt, indexed, id));

    public void SeedAssociation(string contactId, string companyId) =>
        Locked(() => _links.Add((contactId, companyId)));

    internal static async Task WriteAsync(HttpContext context, Reply reply)
    {
        var response = context.Response;
        response.StatusCode = reply.Status;
        foreach (var (name, value) in reply.Headers ?? [])
        {
            response.Headers[name] = value;
        }

        if (reply.Body != "")
        {
            response.ContentType ??= "application/json;charset=utf-8";
            await response.WriteAsync(reply.Body, context.RequestAborted);
        }
    }

    // Both directions: 279 contact to company, 280 back.
    internal static Reply Associated(string contact, string company) =>
        Reply.Of(200, new
        {
            status = "COMPLETE",
            startedAt = DateTimeOffset.UtcNow,
            completedAt = DateTimeOffset.UtcNow,
            results = new[] { (contact, company, 279), (company, contact, 280) }
                .Select(l => new
                {
                    from = new { id = l.Item1 },
                    to = new { id = l.Item2 },
                    associationSpec = new
                    {
                        associationCategory = "HUBSPOT_DEFINED",
                        associationTypeId = l.Item3,
                    },
                }),
        });

    async Task HandleAsync(HttpContext context, Route? route,
        Func<RecordedRequest, Reply> handler)
    {
        var (request, arrived) = (context.Request, DateTime.Now);
        using var reader = new StreamReader(request.Body);
        var body = await reader.ReadToEndAsync(context.RequestAborted);
        var call = new RecordedRequest(request.Method, request.Path.Value!,
            $"{request.QueryString}", request.Headers.ToDictionary(h => h.Key,
                h => $"{h.Value}", StringComparer.OrdinalIgnoreCase), body,
            _clock.Elapsed, route, [.. request.RouteValues.Values
                .Select(v => $"{v}")]);
        var fault = Locked(() =>
        {
            _requests.Add(call);
            var next = _faults.FirstOrDefault(f => f.Item1 == route);
            _faults.Remove(next);
            return next.Fault;
        });
        // One id in the header and the body, as HubSpot's.
        context.Response.Headers["X-HubSpot-Correlation-Id"] =
            fault?.CorrelationId ?? call.CorrelationId;
        // What HubSpot does with it; a fault may call it, or not.
        Reply Handle() => Locked(() => Handled(call, handler));
        try
        {
            await (fault?.ActAsync(context, Handle)
                ?? WriteAsync(context, Handle()));
        }
        catch (Exception e) when (e is OperationCanceledException
            or IOException)
        {
            // The app stopped waiting (its timeout, or Ctrl+C).
        }

        var status = context.RequestAborted.IsCancellationRequested
            ? "(no answer)" : $"{context.Response.StatusCode}";
        Log?.Invoke($"{arrived:HH:mm:ss.fff} {call.Method} {call.Path}"
            + $"{call.Query} {status}");
    }

    Reply Handled(RecordedRequest call, Func<RecordedRequest, Reply> handler)
    {
        if (call.Header("Authorization") != $"Bearer {Token}")
        {
            return call.Error(401, "INVALID_AUTHENTICATION",
                "Authentication credentials not found.");
        }

        try
        {
            return handler(call);
        }
        catch (JsonException e)
        {
            return call.Error(400, "VALIDATION_ERROR", e.Message);
        }
    }

    // Each association goes to an existing record, with HubSpot's own
    // types of its direction. HubSpot does not deduplicate companies.
    Reply Create(RecordedRequest call, List<FakeRecord> records)
    {
        var (create, contact) = (Read<CreateBody>(call), records == _contacts);
        var others = contact ? _companies : _contacts;
        int[] types = contact ? [279, 1] : [280, 2];
        var links = create.Associations.Select(a => a.To.Id).ToList();
        if (create.Associations.Any(a => a.Types.Count == 0
            || a.Types.Any(t => t.AssociationCategory != "HUBSPOT_DEFINED"
                || !types.Contains(t.AssociationTypeId)))
            || links.Any(id => others.All(r => r.Id != id)))
        {
            throw new JsonException("An association needs an existing"
                + $" record and types from {string.Join(", ", types)}.");
        }

        var email = create.Properties.GetValueOrDefault("email", "");
        if (contact && email != ""
            && !Regex.IsMatch(email, @"^[^@\s]+@[^@\s]+\.\w{2,}$"))
        {
            throw new JsonException($"Email address {email} is invalid");
        }

        if (contact && _contacts.Find(c => c["email"].Equals(email,
            StringComparison.OrdinalIgnoreCase)) is { } existing)
        {
            return call.Error(409, "CONFLICT",
                $"Contact already exists. Existing ID: {existing.Id}");
        }

        var record = Store(records, create.Properties, DateTimeOffset.UtcNow,
            false);
        links.ForEach(id => _links.Add(contact ? (record.Id, id)
            : (id, record.Id)));
        return Reply.Of(201, Show(record));
    }

    Reply ReadContact(RecordedRequest call)
    {
        var by = call.Names("idProperty").FirstOrDefault("hs_object_id");
        var contact = _contacts.Find(c => c[by].Equals(call.Ids[0],
            StringComparison.OrdinalIgnoreCase));
        if (contact is null)
        {
            return call.Error(404, "OBJECT_NOT_FOUND", "resource not found");
        }

        // A company once per label; the first is also the primary.
        var results = _links.Where(l => l.ContactId == contact.Id)
            .Select(l => l.CompanyId).Order(StringComparer.Ordinal)
            .SelectMany((id, i) => (i == 0 ? Labels : Labels[1..])
                .Select(type => new { id, type })).ToList();
        var asked = call.Names("associations").Contains("companies");
        var properties = call.Names("properties");
        return Reply.Of(200, Show(contact, properties is [] ? null : properties,
            asked && results.Count > 0 ? new { companies = new { results } }
                : null));
    }

    // Groups are ORed, the filters in a group ANDed; matching ignores
    // case, as HubSpot's does. Ties are sorted by id.
    Reply Search(SearchBody search)
    {
        var groups = search.FilterGroups;
        if (search.Limit is < 1 or > 200 || groups.Count > 6 || groups.Any(g =>
            g.Filters.Any(f => f.Operator != "EQ" || f.Value is null)))
        {
            throw new JsonException("limit must be 1 to 200, with at most 6"
                + " filter groups of EQ filters (all the fake knows).");
        }

        var now = DateTimeOffset.UtcNow;
        var matches = _companies.Where(c => c.IndexedAt <= now
            && groups.Any(g => g.Filters.All(f => c[f.PropertyName]
                .Equals(f.Value, StringComparison.OrdinalIgnoreCase))))
            .ToList();
        var sorted = matches.OrderBy(_ => 0);
        foreach (var (name, direction) in search.Sorts)
        {
            sorted = direction == "DESCENDING"
                ? sorted.ThenByDescending(c => c[name], StringComparer.Ordinal)
                : sorted.ThenBy(c => c[name], StringComparer.Ordinal);
        }

        var results = sorted.ThenBy(c => c.Id.Length).ThenBy(c => c.Id,
            StringComparer.Ordinal).Take(search.Limit)
            .Select(c => Show(c, search.Properties));
        return Reply.Of(200, new { total = matches.Count, results });
    }

    // From the primary store: no index lag. Ids that do not exist are
    // listed in errors (2026-09 answers 200).
    Reply ReadCompanies(BatchRead read)
    {
        if (read.Inputs.Count is < 1 or > 100)
        {
            throw new JsonException("inputs must hold 1 to 100 ids.");
        }

        var wanted = read.Inputs.Select(i => i.Id).ToList();
        var found = _companies.Where(c => wanted.Contains(c.Id)).ToList();
        var ids = wanted.Except(found.Select(c => c.Id)).ToList();
        return Reply.Of(200, new
        {
            status = "COMPLETE",
            startedAt = DateTimeOffset.UtcNow,
            completedAt = DateTimeOffset.UtcNow,
            results = found.Select(c => Show(c, read.Properties)),
            numErrors = ids.Count > 0 ? 1 : (int?)null,
            errors = ids.Count == 0 ? null : new[]
            {
                new
                {
                    status = "error",
                    category = "OBJECT_NOT_FOUND",
                    message = "Could not get some COMPANY objects.",
                    context = new { ids },
                },
            },
        });
    }

    Reply Associate(RecordedRequest call)
    {
        var (contact, company) = (call.Ids[0], call.Ids[1]);
        if (_contacts.All(c => c.Id != contact)
            || _companies.All(c => c.Id != company))
        {
            return call.Error(404, "OBJECT_NOT_FOUND",
                "One or more objects could not be found.");
        }

        _links.Add((contact, company));
        return Associated(contact, company);
    }

    // A request body, read into its record below. Nullable annotations
    // do not reach list elements or dictionary values: no null at all.
    static T Read<T>(RecordedRequest call)
    {
        static bool HasNull(JsonNode? node) => node switch
        {
            JsonObject o => o.Any(p => HasNull(p.Value)),
            JsonArray a => a.Any(HasNull),
            _ => node is null,
        };
        return HasNull(JsonNode.Parse(call.Body))
            ? throw new JsonException("A value is null.")
            : JsonSerializer.Deserialize<T>(call.Body, Reply.Options)!;
    }

    FakeRecord Store(List<FakeRecord> records,
        Dictionary<string, string> properties, DateTimeOffset createdAt,
        bool indexed, string? id = null)
    {
        id ??= $"{(records == _contacts ? ++_nextContact : ++_nextCompany)}";
        var stamp = createdAt.ToString("O", CultureInfo.InvariantCulture);
        properties["hs_object_id"] = id;
        properties["createdate"] = properties["lastmodifieddate"] = stamp;
        var record = new FakeRecord(id, properties, indexed
            ? DateTimeOffset.MinValue : DateTimeOffset.UtcNow + SearchLag);
        records.Add(record);
        return record;
    }

    // As HubSpot answers a record: the properties asked for (all if
    // null) and the three it always adds.
    static object Show(FakeRecord record, IList<string>? only = null,
        object? associations = null) => new
        {
            id = record.Id,
            properties = record.Properties.Where(p => only is null
                || only.Contains(p.Key) || p.Key is "hs_object_id"
                    or "createdate" or "lastmodifieddate").ToDictionary(),
            createdAt = record["createdate"],
            updatedAt = record["createdate"],
            archived = false,
            associations,
        };

    T Locked<T>(Func<T> read)
    {
        lock (_lock)
        {
            return read();
        }
    }

    void Locked(Action change) => Locked(() =>
    {
        change();
        return 0;
    });

    // The request bodies, as HubSpot's OpenAPI files describe them:
    // what they mark required is required here (HubSpot tolerates a
    // missing "after" or "sorts" on a search; the fake does not).
    sealed record CreateBody(Dictionary<string, string> Properties,
        List<Association> Associations);

    sealed record Association(Target To, List<AssociationType> Types);

    sealed record Target(string Id);

    sealed record AssociationType(string AssociationCategory,
        int AssociationTypeId);

    sealed record SearchBody(List<FilterGroup> FilterGroups,
        List<string> Properties, List<Sort> Sorts, string After,
        int Limit);

    sealed record FilterGroup(List<Filter> Filters);

    sealed record Filter(string PropertyName, string Operator,
        string? Value = null);

    sealed record Sort(string PropertyName, string? Direction = null);

    sealed record BatchRead(List<Target> Inputs, List<string> Properties,
        List<string> PropertiesWithHistory);
}
