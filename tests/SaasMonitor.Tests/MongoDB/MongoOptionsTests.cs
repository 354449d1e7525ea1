using System.ComponentModel.DataAnnotations;
using SaasMonitor.MongoDB;

namespace SaasMonitor.Tests.MongoDB;

public sealed class MongoOptionsTests
{
    [Theory]
    [InlineData("", "saasmon", "The MongoDB stores need their server: set SaasMonitor:MongoDB:ConnectionString")]
    [InlineData("http://mongo:27017", "saasmon", "SaasMonitor:MongoDB:ConnectionString is not a MongoDB connection string")]
    [InlineData("mongodb://mongo:27017/?replicaSet=rs0", "saas mon", "SaasMonitor:MongoDB:Database must be a database name")]
    [InlineData("mongodb://mongo:27017/?replicaSet=rs0", "", "SaasMonitor:MongoDB:Database must be a database name")]
    public void A_missing_or_malformed_setting_is_refused_with_one_sentence_naming_the_key(string connectionString, string database, string sentence)
    {
        var errors = Validate(new MongoOptions { ConnectionString = connectionString, Database = database });

        errors.Should().ContainSingle().Which.Should().StartWith(sentence);
    }

    [Fact]
    public void A_replica_set_connection_string_with_credentials_and_a_database_name_are_accepted() =>
        Validate(new MongoOptions { ConnectionString = "mongodb://saasmon:secret@mongo:27017/?replicaSet=rs0&authSource=admin", Database = "saasmon" })
            .Should().BeEmpty();

    private static List<string?> Validate(MongoOptions options)
    {
        var results = new List<ValidationResult>();
        Validator.TryValidateObject(options, new ValidationContext(options), results, validateAllProperties: true);
        return results.ConvertAll(r => r.ErrorMessage);
    }
}
