using Xunit;

namespace HubSpotChallenge.Tests;

/// <summary>The configuration rules, as tables: what each input gives, without starting the app.</summary>
public sealed class SettingsRules
{
    const string Token = "pat-na1-11111111-2222-3333-4444-555555555555";

    // Written with this platform's separator: /home/ada/project here, \home\ada\project on Windows.
    static readonly string Folder = Path.Combine(Path.DirectorySeparatorChar + "home", "ada", "project");
    static readonly string DotEnvPath = Path.Combine(Folder, ".env");

    static (string? Email, List<string> Problems) Load(
        Dictionary<string, string?> environment, Dictionary<string, string>? dotEnv = null, bool dryRun = false)
    {
        Dictionary<string, string?> everything = new() { ["HUBSPOT_KEY"] = Token, ["FIRSTNAME"] = "Ada", ["LASTNAME"] = "Lovelace" };
        foreach (var (name, value) in environment)
        {
            everything[name] = value;
        }

        var file = new DotEnvFile(DotEnvPath, dotEnv is not null, dotEnv ?? [], [], name => everything.GetValueOrDefault(name));
        var (settings, problems) = Settings.Load(file, dryRun);
        return (settings?.Email, problems);
    }

    public static TheoryData<string, string?, string> Problems => new()
    {
        { "HUBSPOT_KEY", null, $"HUBSPOT_KEY is not set, and there is no .env in {Folder}: run the program from the folder that holds .env." },
        { "HUBSPOT_KEY", "pat-xxxxxxxxxxxxxxxxxxxxxxxxxxxx", "HUBSPOT_KEY in your environment is still the placeholder from .env.example: put your service key or private app token there." },
        { "HUBSPOT_KEY", "   ", "HUBSPOT_KEY is not set" },
        { "HUBSPOT_KEY", "two words", "HUBSPOT_KEY contains spaces" },
        { "HUBSPOT_KEY", $"Bearer {Token}", "HUBSPOT_KEY contains spaces or characters a token cannot have: paste the token alone." },
        { "HUBSPOT_KEY", "pat-na1-tab\there", "HUBSPOT_KEY contains spaces" },
        { "FIRSTNAME", null, $"FIRSTNAME is not set, and there is no .env in {Folder}" },
        { "FIRSTNAME", " ", "FIRSTNAME is not set" },
        { "LASTNAME", null, "LASTNAME is not set" },
        { "FIRSTNAME", "A\u001b[31mRED", "FIRSTNAME contains a control or invisible character (U+001B)" },
        { "LASTNAME", "Love\nlace", "LASTNAME contains a control or invisible character (U+000A)" },
        { "LASTNAME", "Love\u2028lace", "LASTNAME contains a control or invisible character (U+2028)" },
        { "FIRSTNAME", "\u200B", "FIRSTNAME contains a control or invisible character (U+200B)" },
        { "LASTNAME", "Lovelace\u202E", "LASTNAME contains a control or invisible character (U+202E)" },
        { "FIRSTNAME", "Ada\U000E0041", "FIRSTNAME contains a control or invisible character (U+E0041)" },
        { "HUBSPOT_BASE_URL", "api.hubapi.com", "HUBSPOT_BASE_URL 'api.hubapi.com' is not an https URL like https://api.hubapi.com (http:// only to this machine)." },
        { "HUBSPOT_BASE_URL", "ftp://api.hubapi.com", "HUBSPOT_BASE_URL 'ftp://api.hubapi.com' is not an https URL" },
        { "HUBSPOT_BASE_URL", "http://api.hubapi.com", "HUBSPOT_BASE_URL 'http://api.hubapi.com' is not an https URL" },
        { "HUBSPOT_BASE_URL", "https://api.hubapi.com/?portal=1", "is not an https URL" },
        { "HUBSPOT_BASE_URL", "https://api.hubapi.com/#x", "is not an https URL" },
        { "HUBSPOT_BASE_URL", "http://user:s3cr3t@127.0.0.1:9", "HUBSPOT_BASE_URL contains a user name or password (before an @): remove it" },
        { "HUBSPOT_BASE_URL", "user:s3cr3t@api.hubapi.com", "HUBSPOT_BASE_URL contains a user name or password" },
    };

    [Theory]
    [MemberData(nameof(Problems))]
    public void EachBadValueIsOneProblemThatNamesTheVariable(string variable, string? value, string expected)
    {
        var (email, problems) = Load(new() { [variable] = value });

        Assert.Null(email);
        var problem = Assert.Single(problems);
        Assert.Contains(expected, problem, StringComparison.Ordinal);
        Assert.DoesNotContain("s3cr3t", problem, StringComparison.Ordinal);
        Assert.True(problem.All(c => !char.IsControl(c)), $"The problem quotes a control character: {problem}");
    }

    [Fact]
    public void EveryProblemIsReportedAtOnce()
    {
        var (_, problems) = Load(new() { ["HUBSPOT_KEY"] = null, ["FIRSTNAME"] = null, ["LASTNAME"] = "", ["HUBSPOT_BASE_URL"] = "nowhere" });

        Assert.Equal(["HUBSPOT_KEY", "FIRSTNAME", "LASTNAME", "HUBSPOT_BASE_URL"], problems.Select(p => p.Split(' ')[0]));
    }

    [Theory]
    [InlineData("http://127.0.0.1:5123")]
    [InlineData("http://localhost:5123/")]
    [InlineData("https://api-eu1.hubapi.com")]
    [InlineData("https://gateway.example.org/hubspot")]
    public void AnHttpsUrlOrPlainHttpToThisMachineIsAccepted(string baseUrl)
    {
        var (email, problems) = Load(new() { ["HUBSPOT_BASE_URL"] = baseUrl });

        Assert.Empty(problems);
        Assert.NotNull(email);
    }

    [Fact]
    public void TheEnvironmentWinsOverDotEnvAndDotEnvFillsTheRest()
    {
        var (email, problems) = Load(new() { ["LASTNAME"] = null }, new() { ["FIRSTNAME"] = "Grace", ["LASTNAME"] = "Hopper" });

        Assert.Empty(problems);
        Assert.Equal("ada.hopper@example.com", email);
    }

    [Fact]
    public void AVariableNotSetSaysWhichDotEnvWasRead()
    {
        var (_, problems) = Load(new() { ["LASTNAME"] = null }, new() { ["FIRSTNAME"] = "Grace" });

        Assert.Equal([$"LASTNAME is not in {DotEnvPath}: put the contact's last name there."], problems);
    }

    [Fact]
    public void AnEmptyVariableInTheEnvironmentIsUnsetSoDotEnvsValueIsUsed()
    {
        var (email, problems) = Load(new() { ["FIRSTNAME"] = "" }, new() { ["FIRSTNAME"] = "Grace" });

        Assert.Empty(problems);
        Assert.Equal("grace.lovelace@example.com", email);
    }

    [Fact]
    public void ADryRunNeedsNoToken()
    {
        var (email, problems) = Load(new() { ["HUBSPOT_KEY"] = null }, dryRun: true);

        Assert.Empty(problems);
        Assert.Equal("ada.lovelace@example.com", email);
    }

    [Fact]
    public void ADryRunStillReportsOtherProblems()
    {
        var (_, problems) = Load(new() { ["HUBSPOT_KEY"] = null, ["LASTNAME"] = null }, dryRun: true);

        Assert.StartsWith("LASTNAME is not set", Assert.Single(problems), StringComparison.Ordinal);
    }

    [Fact]
    public void NamesWithoutLatinLettersGiveTheFictionalEmailContactAtExampleCom()
    {
        var (email, problems) = Load(new() { ["FIRSTNAME"] = "Юлия", ["LASTNAME"] = "李" });

        Assert.Empty(problems);
        Assert.Equal("contact@example.com", email);
    }

    [Theory]
    [InlineData("Ada", "Lovelace", "ada.lovelace@example.com")]
    [InlineData("Zoë", "Ødegård", "zoe.odegard@example.com")]
    [InlineData("Seán", "O'Brien", "sean.obrien@example.com")]
    [InlineData("José María", "Núñez-Pérez", "josemaria.nunezperez@example.com")]
    [InlineData("Jürgen", "Weiß", "jurgen.weiss@example.com")]
    [InlineData("\"Ace\"", "Łukasiewicz", "ace.lukasiewicz@example.com")]
    [InlineData("Ánh", "Nguyễn Thị", "anh.nguyenthi@example.com")]
    [InlineData("Ørjan", "Æbeløe", "orjan.aebeloe@example.com")]
    [InlineData("Œdipe", "Þórsson", "oedipe.thorsson@example.com")]
    [InlineData("李", "Smith", "smith@example.com")]
    [InlineData("Юлия", "李", "contact@example.com")]
    [InlineData("İsmail", "Yılmaz", "ismail.yilmaz@example.com")]
    [InlineData("Muḥammad", "Ṣāliḥ", "muhammad.salih@example.com")]
    [InlineData("Łukasz", "Ødegård", "lukasz.odegard@example.com")]
    [InlineData("Lǚ", "Nguyễn", "lu.nguyen@example.com")]
    [InlineData("Đorđe", "Ðorđević", "dorde.dordevic@example.com")]
    [InlineData("Łukasz", "Ødegård-Weiß", "lukasz.odegardweiss@example.com")]
    [InlineData("ǅemal", "ẞtraße", "dzemal.sstrasse@example.com")]
    public void TheEmailIsBuiltFromTheNamesWithAccentsFolded(string firstName, string lastName, string email) =>
        Assert.Equal(email, Settings.EmailFromNames(firstName, lastName));

    [Theory]
    [InlineData(150, 150, 31, 31)]
    [InlineData(5, 150, 5, 31)]
    [InlineData(150, 5, 31, 5)]
    [InlineData(31, 31, 31, 31)]
    public void LongNamesAreShortenedSoTheLocalPartKeepsWithin64Characters(int firstLength, int lastLength, int firstKept, int lastKept)
    {
        var email = Settings.EmailFromNames(new string('a', firstLength), new string('b', lastLength));

        Assert.Equal($"{new string('a', firstKept)}.{new string('b', lastKept)}@example.com", email);
        Assert.True(email.IndexOf('@') <= 64, email);
    }
}
