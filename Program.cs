using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Mail;
using System.Reflection;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.RegularExpressions;

using DotNetEnv;

var dryRun = false;
foreach (var arg in args)
{
    switch (arg)
    {
        case "--dry-run":
            dryRun = true;
            break;
        case "--help" or "-h":
            Console.WriteLine(Usage.Text);
            return ExitCode.Done;
        default:
            Console.Error.WriteLine($"Unknown argument '{arg}'.{Environment.NewLine}{Usage.Text}");
            return ExitCode.Usage;
    }
}

var (settings, problems) = Settings.Load(requireToken: !dryRun);
if (settings is null)
{
    Console.Error.WriteLine($"Configuration problem{(problems.Count > 1 ? "s" : "")}, nothing was sent to HubSpot:");
    foreach (var problem in problems)
    {
        Console.Error.WriteLine($"  - {problem}");
    }

    return ExitCode.Usage;
}

if (dryRun)
{
    PrintDryRun(settings);
    return ExitCode.Done;
}

// Ctrl+C and SIGTERM cancel whatever is awaited: a pause, a request or a retry wait.
using var cancel = new CancellationTokenSource();
using var onInterrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, Cancel);
using var onTerminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Cancel);
var ct = cancel.Token;

using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", settings.Token);
http.DefaultRequestHeaders.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
http.DefaultRequestHeaders.UserAgent.Add(new ProductInfoHeaderValue("HubSpotChallenge", Usage.Version));
var hubspot = new PacedHubSpotClient(http, settings.BaseUrl);

try
{
    var contactId = await CreateContactAsync(hubspot, settings, ct);
    Console.WriteLine($"Contact {contactId} created: {settings.FirstName} {settings.LastName} <{settings.Email}>");

    var companyId = await CreateCompanyAsync(hubspot, ct);
    Console.WriteLine($"Company {companyId} created: {Company.Name} ({Company.Domain})");

    await AssociateAsync(hubspot, contactId, companyId, ct);
    Console.WriteLine($"Contact {contactId} associated with company {companyId}.");

    Console.WriteLine($"Done: {hubspot.RequestsSent} requests to {settings.BaseUrl.Authority}.");
    return ExitCode.Done;
}
catch (HubSpotException e)
{
    Console.Error.WriteLine(e.Message);
    return ExitCode.Failed;
}
catch (OperationCanceledException) when (ct.IsCancellationRequested)
{
    Console.Error.WriteLine("Cancelled.");
    return ExitCode.Cancelled;
}

void Cancel(PosixSignalContext context)
{
    context.Cancel = true;
    cancel.Cancel();
}

static async Task<string> CreateContactAsync(PacedHubSpotClient hubspot, Settings settings, CancellationToken ct)
{
    var response = await hubspot.SendAsync("creating the contact", HttpMethod.Post, Paths.Contacts, ContactBody(settings), ct);
    return response.Read(Json.Context.HubSpotRecord).Id;
}

static async Task<string> CreateCompanyAsync(PacedHubSpotClient hubspot, CancellationToken ct)
{
    var response = await hubspot.SendAsync("creating the company", HttpMethod.Post, Paths.Companies, CompanyBody(), ct);
    return response.Read(Json.Context.HubSpotRecord).Id;
}

static Task AssociateAsync(PacedHubSpotClient hubspot, string contactId, string companyId, CancellationToken ct) =>
    hubspot.SendAsync("associating the contact with the company", HttpMethod.Put, Paths.Association(contactId, companyId), null, ct);

static string ContactBody(Settings settings) => Json.Write(new CreateRecordRequest(
    new Dictionary<string, string> { ["email"] = settings.Email, ["firstname"] = settings.FirstName, ["lastname"] = settings.LastName }));

static string CompanyBody() => Json.Write(new CreateRecordRequest(
    new Dictionary<string, string> { ["name"] = Company.Name, ["domain"] = Company.Domain }));

static void PrintDryRun(Settings settings)
{
    Console.WriteLine($"Dry run: nothing is sent. {settings.BaseUrl.Authority} would receive, 200 ms apart:");
    Console.WriteLine($"POST {Paths.Contacts}{Environment.NewLine}  {ContactBody(settings)}");
    Console.WriteLine($"POST {Paths.Companies}{Environment.NewLine}  {CompanyBody()}");
    Console.WriteLine($"PUT  {Uri.UnescapeDataString(Paths.Association("{contactId}", "{companyId}"))}");
}

static class ExitCode
{
    public const int Done = 0;
    public const int Failed = 1;
    public const int Usage = 2;
    public const int Cancelled = 130;
}

static class Company
{
    public const string Name = "Coding Challenge Company GmbH";
    public const string Domain = "coding-challenge-company.com";
}

static class Paths
{
    // HubSpot's date-versioned API; v3/v4 paths lose support in 2027.
    public const string ApiVersion = "2026-09";
    public const string Contacts = $"/crm/objects/{ApiVersion}/contacts";
    public const string Companies = $"/crm/objects/{ApiVersion}/companies";

    public static string Association(string contactId, string companyId) =>
        $"{Contacts}/{Uri.EscapeDataString(contactId)}/associations/default/companies/{Uri.EscapeDataString(companyId)}";
}

static class Usage
{
    public static readonly string Version =
        typeof(Usage).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0] ?? "0";

    public static readonly string Text = $"""
        HubSpotChallenge {Version}: creates a contact and the company "{Company.Name}" in HubSpot and associates them.

        Usage: dotnet run [-- --dry-run | --help]
          --dry-run   check the configuration and print the requests, sending nothing (no token needed)
          -h, --help  show this help

        Configuration comes from the environment, then from .env in the current directory:
          HUBSPOT_KEY       private app token or service key (required)
          FIRSTNAME         the contact's first name (required)
          LASTNAME          the contact's last name (required)
          CONTACT_EMAIL     the contact's email (default: firstname.lastname@example.com)
          HUBSPOT_BASE_URL  API host (default: https://api.hubapi.com)

        Exit codes: 0 done, 1 HubSpot or network failure, 2 configuration or usage error, 130 cancelled.
        """;
}

/// <summary>Everything the run needs, validated before any request is sent.</summary>
sealed partial record Settings(string Token, string FirstName, string LastName, string Email, Uri BaseUrl)
{
    const string TokenPlaceholder = "pat-xxxxxxxxxxxxxxxxxxxxxxxxxxxx";
    const string DefaultBaseUrl = "https://api.hubapi.com";

    public static (Settings? Settings, List<string> Problems) Load(bool requireToken)
    {
        try
        {
            // NoClobber: variables already set in the environment win over .env, as with python-dotenv.
            Env.NoClobber().Load();
        }
        catch (Sprache.ParseException e)
        {
            // The parser's message quotes the text around the error, which may be the token: show the position only.
            return (null, [$".env could not be parsed near line {e.Position.Line}, column {e.Position.Column}. Put values with quotes, apostrophes or # in double quotes, e.g. LASTNAME=\"O'Brien\"."]);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return (null, [$".env could not be read: {e.Message}"]);
        }

        List<string> problems = [];
        var token = Read("HUBSPOT_KEY");
        if (token.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            token = token["Bearer ".Length..].Trim();
        }

        if (token.Length == 0)
        {
            if (requireToken)
            {
                problems.Add("HUBSPOT_KEY is not set: put your private app token or service key in .env (see .env.example).");
            }
        }
        else if (token.Equals(TokenPlaceholder, StringComparison.OrdinalIgnoreCase))
        {
            problems.Add("HUBSPOT_KEY is still the placeholder from .env.example: replace it with your private app token or service key.");
        }
        else if (!token.All(c => c is > ' ' and < '\u007f'))
        {
            problems.Add("HUBSPOT_KEY contains spaces or characters a token cannot have: paste the token alone, on one line.");
        }

        var firstName = Read("FIRSTNAME");
        var lastName = Read("LASTNAME");
        foreach (var (name, value) in new[] { ("FIRSTNAME", firstName), ("LASTNAME", lastName) })
        {
            if (value.Length == 0)
            {
                problems.Add($"{name} is not set: put the contact's {(name == "FIRSTNAME" ? "first" : "last")} name in .env.");
            }
        }

        var baseUrlText = Read("HUBSPOT_BASE_URL");
        var baseUrl = ParseBaseUrl(baseUrlText.Length == 0 ? DefaultBaseUrl : baseUrlText, problems);

        var email = Read("CONTACT_EMAIL");
        if (email.Length > 0)
        {
            if (!IsEmail(email))
            {
                problems.Add($"CONTACT_EMAIL '{email}' is not an email address.");
            }
            else if (email.EndsWith("@" + Company.Domain, StringComparison.OrdinalIgnoreCase))
            {
                problems.Add($"CONTACT_EMAIL must not use {Company.Domain}: HubSpot would auto-create a second company from it.");
            }
        }
        else if (firstName.Length > 0 && lastName.Length > 0)
        {
            email = EmailFromNames(firstName, lastName);
            if (email.Length == 0)
            {
                problems.Add("FIRSTNAME and LASTNAME have no Latin letters or digits to build an email from: set CONTACT_EMAIL.");
            }
        }

        return problems.Count == 0
            ? (new Settings(token, firstName, lastName, email, baseUrl!), problems)
            : (null, problems);
    }

    static string Read(string name) => (Environment.GetEnvironmentVariable(name) ?? "").Trim();

    static Uri? ParseBaseUrl(string text, List<string> problems)
    {
        if (!Uri.TryCreate(text.TrimEnd('/'), UriKind.Absolute, out var url) || url.Scheme is not ("https" or "http") || url.Host.Length == 0)
        {
            problems.Add($"HUBSPOT_BASE_URL '{text}' is not an absolute http(s) URL, e.g. https://api.hubapi.com.");
            return null;
        }

        if (url.Scheme == "http" && !url.IsLoopback)
        {
            problems.Add($"HUBSPOT_BASE_URL '{text}' uses http:// to a host that is not this machine: the token would travel in clear text. Use https://.");
            return null;
        }

        return url;
    }

    static bool IsEmail(string text) =>
        MailAddress.TryCreate(text, out var address) && address.Address == text && address.DisplayName.Length == 0 && EmailShape().IsMatch(text);

    /// <summary>firstname.lastname@example.com, lower-case, accents folded, other characters dropped.</summary>
    public static string EmailFromNames(string firstName, string lastName)
    {
        var parts = new[] { Fold(firstName), Fold(lastName) }.Where(p => p.Length > 0).ToArray();
        return parts.Length == 0 ? "" : $"{string.Join('.', parts)}@example.com";
    }

    static string Fold(string name)
    {
        var plain = new StringBuilder();
        foreach (var c in name.Normalize(NormalizationForm.FormD).ToLowerInvariant())
        {
            // Letters that Unicode does not decompose into a base letter and a mark.
            plain.Append(c switch
            {
                'ø' => "o",
                'ß' => "ss",
                'æ' => "ae",
                'œ' => "oe",
                'đ' or 'ð' => "d",
                'ł' => "l",
                'þ' => "th",
                'ı' => "i",
                >= 'a' and <= 'z' or >= '0' and <= '9' => c.ToString(),
                _ => "",
            });
        }

        return plain.ToString();
    }

    [GeneratedRegex(@"^[^@\s]+@[^@\s]+\.[^@\s]+$")]
    private static partial Regex EmailShape();
}

/// <summary>The one way to HubSpot: every request waits 200 ms first, so calls stay well under HubSpot's rate limits.</summary>
sealed class PacedHubSpotClient(HttpClient http, Uri baseUrl)
{
    static readonly TimeSpan Pace = TimeSpan.FromMilliseconds(200);

    public int RequestsSent { get; private set; }

    public async Task<HubSpotResponse> SendAsync(string step, HttpMethod method, string path, string? json, CancellationToken ct)
    {
        await Task.Delay(Pace, ct);
        using var request = new HttpRequestMessage(method, new Uri(baseUrl, path));
        if (json is not null)
        {
            request.Content = new StringContent(json, Encoding.UTF8, "application/json");
        }

        RequestsSent++;
        HubSpotResponse response;
        try
        {
            using var answer = await http.SendAsync(request, ct);
            response = new HubSpotResponse(step, answer.StatusCode, await answer.Content.ReadAsStringAsync(ct),
                answer.Headers.TryGetValues("X-HubSpot-Correlation-Id", out var ids) ? ids.FirstOrDefault() : null);
        }
        catch (HttpRequestException e)
        {
            throw new HubSpotException($"Could not reach HubSpot at {baseUrl.Authority} while {step}: {Describe(e)}. Check HUBSPOT_BASE_URL and your connection.");
        }
        catch (TaskCanceledException) when (!ct.IsCancellationRequested)
        {
            throw new HubSpotException($"HubSpot at {baseUrl.Authority} did not answer within {http.Timeout.TotalSeconds:0} s while {step}. Check your connection, then run again.");
        }

        return response.IsSuccess ? response : throw response.ToException();
    }

    static string Describe(HttpRequestException e) => e.HttpRequestError switch
    {
        HttpRequestError.NameResolutionError => "the host name could not be resolved",
        HttpRequestError.ConnectionError => "the connection failed",
        HttpRequestError.SecureConnectionError => "the TLS handshake failed",
        HttpRequestError.ResponseEnded => "the connection closed before HubSpot answered",
        _ => e.Message,
    };
}

/// <summary>An answer from HubSpot, read whole (they are small).</summary>
sealed record HubSpotResponse(string Step, HttpStatusCode Status, string Body, string? CorrelationIdHeader)
{
    public bool IsSuccess => (int)Status is >= 200 and < 300;

    public T Read<T>(System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> type)
    {
        try
        {
            return JsonSerializer.Deserialize(Body, type) ?? throw new JsonException("empty body");
        }
        catch (JsonException)
        {
            throw new HubSpotException($"HubSpot answered {(int)Status} while {Step}, but not with the JSON expected. Check HUBSPOT_BASE_URL points at HubSpot's API.");
        }
    }

    public HubSpotError Error()
    {
        try
        {
            return JsonSerializer.Deserialize(Body, Json.Context.HubSpotError) ?? new HubSpotError();
        }
        catch (JsonException)
        {
            return new HubSpotError();
        }
    }

    public HubSpotException ToException()
    {
        var error = Error();
        var category = error.Category ?? error.PolicyName;
        var message = error.Message is { Length: > 0 } m ? Readable(m) : "no message";
        var correlationId = error.CorrelationId ?? CorrelationIdHeader;
        return new HubSpotException(
            $"HubSpot answered {(int)Status}{(category is null ? "" : $" {category}")} while {Step}: {message}" +
            (correlationId is null ? "" : $" (correlation id {correlationId})"));
    }

    // Validation errors carry JSON inside the message: "Property values were not valid: [{...}]".
    static string Readable(string message)
    {
        var start = message.IndexOf(": [", StringComparison.Ordinal);
        if (start < 0)
        {
            return message;
        }

        try
        {
            var details = JsonSerializer.Deserialize(message[(start + 2)..], Json.Context.ListValidationDetail);
            var texts = details?.Select(d => d.Message).OfType<string>().ToList() ?? [];
            return texts.Count == 0 ? message : $"{message[..start]}: {string.Join("; ", texts)}";
        }
        catch (JsonException)
        {
            return message;
        }
    }
}

/// <summary>A failure already worded for the user: one line, no stack trace.</summary>
sealed class HubSpotException(string message) : Exception(message);

sealed record CreateRecordRequest(IReadOnlyDictionary<string, string> Properties)
{
    // Required by HubSpot's schema, omitted by its examples: an empty list satisfies both.
    public IReadOnlyList<JsonElement> Associations { get; } = [];
}

sealed record HubSpotRecord(string Id, DateTimeOffset? CreatedAt);

sealed record ValidationDetail(string? Message, string? Name);

sealed record HubSpotError(string? Message = null, string? CorrelationId = null, string? Category = null, string? PolicyName = null);

static class Json
{
    // HubSpot's camelCase names; non-ASCII names stay readable in --dry-run output (still valid JSON).
    public static readonly AppJson Context = new(new JsonSerializerOptions(JsonSerializerDefaults.Web) { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping });

    public static string Write(CreateRecordRequest request) => JsonSerializer.Serialize(request, Context.CreateRecordRequest);
}

[JsonSerializable(typeof(CreateRecordRequest))]
[JsonSerializable(typeof(HubSpotRecord))]
[JsonSerializable(typeof(HubSpotError))]
[JsonSerializable(typeof(List<ValidationDetail>))]
sealed partial class AppJson : JsonSerializerContext;