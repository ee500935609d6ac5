using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace FakeHubSpot;

public enum Route { CreateContact, ReadContact, SearchCompanies, CreateCompany, ReadCompanies, Associate }

public sealed record Seen(Route? Route, string Method, string Url, string Body, string? Authorization, TimeSpan At);

// Search sees a record from IndexedAt on.
public sealed record FakeRecord(string Id, Dictionary<string, string> Properties, DateTimeOffset IndexedAt)
{
    public string this[string name] => Properties.GetValueOrDefault(name, "");
}

// HubSpot's CRM API 2026-09 on loopback, as HubSpot behaves: the Bearer token, its statuses and error bodies, the
// request bodies its OpenAPI files require, unique emails, a search that lags writes, and faults. Anything else: 404.
public sealed class FakeHubSpotServer : IAsyncDisposable
{
    public const string Token = "pat-na1-11111111-2222-3333-4444-555555555555";
    public static readonly TimeSpan SearchLag = TimeSpan.FromSeconds(3);

    // Required by HubSpot's OpenAPI files, so required here: absent, null or another kind is a 400.
    static readonly JsonSerializerOptions Strict = new(JsonSerializerDefaults.Web)
    {
        RespectNullableAnnotations = true,
        RespectRequiredConstructorParameters = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    readonly WebApplication _app;
    readonly Stopwatch _clock = Stopwatch.StartNew();
    readonly Lock _lock = new();
    readonly List<Seen> _requests = [];
    readonly List<FakeRecord> _contacts = [];
    readonly List<FakeRecord> _companies = [];
    readonly HashSet<(string Contact, string Company)> _links = [];
    readonly List<(Route Route, Fault Fault)> _faults = [];
    long _nextContact = 37765128901;
    long _nextCompany = 20185735001;

    FakeHubSpotServer(WebApplication app)
    {
        _app = app;
        var api = app.MapGroup("/crm/objects/2026-09");
        void Map(string method, string path, Route route, Func<Seen, object> handle) =>
            api.MapMethods(path, [method], context => HandleAsync(context, route, handle));
        Map("POST", "contacts", Route.CreateContact, CreateContact);
        Map("GET", "contacts/{id}", Route.ReadContact, ReadContact);
        Map("POST", "companies/search", Route.SearchCompanies, Search);
        Map("POST", "companies", Route.CreateCompany, CreateCompany);
        Map("POST", "companies/batch/read", Route.ReadCompanies, ReadCompanies);
        Map("PUT", "contacts/{id}/associations/default/companies/{to}", Route.Associate, Associate);
        app.MapFallback(context => HandleAsync(context, null, _ => new Fault(404)));
    }

    public Uri BaseUrl => new(_app.Urls.First());

    public Action<string>? Log { get; set; }

    public IReadOnlyList<Seen> Requests => Locked(() => _requests.ToList());

    public IReadOnlyList<FakeRecord> Contacts => Locked(() => _contacts.ToList());

    public IReadOnlyList<FakeRecord> Companies => Locked(() => _companies.ToList());

    public IReadOnlyList<(string Contact, string Company)> Links => Locked(() => _links.ToList());

    public static async Task<FakeHubSpotServer> StartAsync(int port = 0)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
        var server = new FakeHubSpotServer(builder.Build());
        await server._app.StartAsync();
        return server;
    }

    public Task WaitForShutdownAsync() => _app.WaitForShutdownAsync();

    public ValueTask DisposeAsync() => _app.DisposeAsync();

    // The next requests on the route meet the fault instead of the usual answer.
    public void Inject(Route route, Fault fault, int times = 1) =>
        Locked(() => _faults.AddRange(Enumerable.Repeat((route, fault), times)));

    public FakeRecord SeedContact(Dictionary<string, string> properties) => Locked(() => Store(_contacts, properties));

    public FakeRecord SeedCompany(string domain, DateTimeOffset createdAt) =>
        Locked(() => Store(_companies, new() { ["domain"] = domain }, createdAt));

    public void SeedLink(string contactId, string companyId) => Locked(() => _links.Add((contactId, companyId)));

    async Task HandleAsync(HttpContext context, Route? route, Func<Seen, object> handle)
    {
        var request = context.Request;
        var seen = new Seen(route, request.Method, $"{request.Path}{request.QueryString}",
            await new StreamReader(request.Body).ReadToEndAsync(), $"{request.Headers.Authorization}", _clock.Elapsed);
        var fault = Locked(() =>
        {
            _requests.Add(seen);
            var next = _faults.FirstOrDefault(f => f.Route == route);
            _faults.Remove(next);
            return next.Fault ?? new();
        });
        try
        {
            // A delay that stores anyway outlives the caller; any other ends with it.
            await Task.Delay(fault.DelayMs, fault.Stores ? default : context.RequestAborted);
            var reply = fault.Status == 0 || fault.Stores ? Locked(() => Answer(seen, handle)) : fault;
            if (fault.Drops)
            {
                context.Abort();
                return;
            }

            if (fault.Status != 0)
            {
                reply = fault;
            }

            context.Response.StatusCode = reply.Status;
            foreach (var (name, value) in reply.Headers ?? [])
            {
                context.Response.Headers[name] = value;
            }

            context.Response.ContentType ??= "application/json;charset=utf-8";
            await context.Response.WriteAsync(reply.Body);
        }
        catch (Exception e) when (e is OperationCanceledException or IOException)
        {
            // The app stopped waiting.
        }
        finally
        {
            Log?.Invoke($"{DateTime.Now:HH:mm:ss.fff} {seen.Method} {seen.Url} {context.Response.StatusCode}");
        }
    }

    static Fault Answer(Seen seen, Func<Seen, object> handle)
    {
        if (seen.Authorization != $"Bearer {Token}")
        {
            return Fault.Error(401, "INVALID_AUTHENTICATION", "Authentication credentials not found.");
        }

        try
        {
            // A record stored is a 201.
            return handle(seen) switch
            {
                Fault fault => fault,
                FakeRecord record => new(201, JsonSerializer.Serialize(Show(record), Strict)),
                var answer => new(200, JsonSerializer.Serialize(answer, Strict)),
            };
        }
        catch (JsonException e)
        {
            return Fault.Error(400, "VALIDATION_ERROR", e.Message);
        }
    }

    // Unique by email, a secondary one (hs_additional_emails) included.
    object CreateContact(Seen seen)
    {
        var properties = Read<NewRecord>(seen).Properties;
        var email = properties.GetValueOrDefault("email", "");
        var existing = _contacts.Find(c => $"{c["email"]};{c["hs_additional_emails"]}".Split(';')
            .Contains(email, StringComparer.OrdinalIgnoreCase));
        return existing is null ? Store(_contacts, properties)
            : Fault.Error(409, "CONFLICT", $"Contact already exists. Existing ID: {existing.Id}");
    }

    // By id, or by the primary email (idProperty=email); each company once per association label.
    object ReadContact(Seen seen)
    {
        var key = Uri.UnescapeDataString(seen.Url.Split('/', '?')[5]);
        var byEmail = seen.Url.Contains("idProperty=email", StringComparison.Ordinal);
        var contact = _contacts.Find(c => byEmail ? c["email"] == key : c.Id == key);
        if (contact is null)
        {
            return Fault.Error(404, "OBJECT_NOT_FOUND", "resource not found");
        }

        string[] labels = ["contact_to_company", "contact_to_company_unlabeled"];
        var results = _links.Where(l => l.Contact == contact.Id)
            .SelectMany(l => labels.Select(type => new { id = l.Company, type })).ToList();
        var asked = seen.Url.Contains("associations=companies", StringComparison.Ordinal) && results.Count > 0;
        return Show(contact) with { Associations = asked ? new { companies = new { results } } : null };
    }

    // HubSpot does not deduplicate companies.
    object CreateCompany(Seen seen)
    {
        var create = Read<NewRecord>(seen);
        var company = Store(_companies, create.Properties);
        create.Associations.ForEach(a => _links.Add((a.To.Id, company.Id)));
        return company;
    }

    // EQ filters (groups ORed, filters ANDed, case ignored) on what is indexed by now, sorted as asked.
    object Search(Seen seen)
    {
        var search = Read<SearchBody>(seen);
        var hits = _companies.Where(c => c.IndexedAt <= DateTimeOffset.UtcNow && search.FilterGroups.Any(g =>
            g.Filters.All(f => c[f.PropertyName].Equals(f.Value, StringComparison.OrdinalIgnoreCase)))).ToList();
        var sorted = hits.OrderBy(c => c[search.Sorts[0].PropertyName], StringComparer.Ordinal);
        return new { total = hits.Count, results = sorted.Take(search.Limit).Select(Show) };
    }

    // From the primary store, no lag. Ids that do not exist are listed in errors (2026-09 answers 200).
    object ReadCompanies(Seen seen)
    {
        var ids = Read<BatchBody>(seen).Inputs.Select(i => i.Id).ToList();
        var gone = ids.Where(id => _companies.All(c => c.Id != id)).ToList();
        var error = new
        {
            status = "error",
            category = "OBJECT_NOT_FOUND",
            message = "Could not get some COMPANY objects, they may be deleted or not exist.",
            context = new { ids = gone },
        };
        var results = _companies.Where(c => ids.Contains(c.Id)).Select(Show);
        return new { status = "COMPLETE", results, errors = gone.Count > 0 ? new[] { error } : [] };
    }

    object Associate(Seen seen)
    {
        var (contact, company) = (seen.Url.Split('/')[5], seen.Url.Split('/')[^1]);
        _links.Add((contact, company));
        var spec = new { associationCategory = "HUBSPOT_DEFINED", associationTypeId = 279 };
        var result = new { from = new { id = contact }, to = new { id = company }, associationSpec = spec };
        return new { status = "COMPLETE", results = new[] { result } };
    }

    // Seeds are indexed at once, or when they were made; what the app creates, SearchLag later.
    FakeRecord Store(List<FakeRecord> records, Dictionary<string, string> properties, DateTimeOffset? seeded = null)
    {
        var id = $"{(records == _contacts ? ++_nextContact : ++_nextCompany)}";
        properties["hs_object_id"] = id;
        properties["createdate"] = (seeded ?? DateTimeOffset.UtcNow).ToString("O");
        var indexedAt = seeded ?? (records == _contacts ? DateTimeOffset.MinValue : DateTimeOffset.UtcNow + SearchLag);
        records.Add(new(id, properties, indexedAt));
        return records[^1];
    }

    static Shown Show(FakeRecord r) => new(r.Id, r.Properties, r["createdate"], null);

    static T Read<T>(Seen seen) => JsonSerializer.Deserialize<T>(seen.Body, Strict) ?? throw new JsonException("null");

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

    sealed record Shown(string Id, Dictionary<string, string> Properties, string CreatedAt, object? Associations);

    sealed record NewRecord(Dictionary<string, string> Properties, List<NewAssociation> Associations);

    sealed record NewAssociation(Ref To, List<AssociationType> Types);

    sealed record Ref(string Id);

    sealed record AssociationType(string AssociationCategory, int AssociationTypeId);

    sealed record SearchBody(List<FilterGroup> FilterGroups, List<string> Properties, List<Sort> Sorts, string After,
        int Limit);

    sealed record FilterGroup(List<Filter> Filters);

    sealed record Filter(string PropertyName, string Operator, string Value);

    sealed record Sort(string PropertyName, string Direction);

    sealed record BatchBody(List<Ref> Inputs, List<string> Properties, List<string> PropertiesWithHistory);
}
