using MongoDB.Bson;
using MongoDB.Driver;
using SaasMonitor.Core.Identity;
using SaasMonitor.MongoDB;
using SaasMonitor.MongoDB.Identity;

namespace SaasMonitor.Tests.MongoDB;

/// <summary>The identity store's filters, updates, indexes and documents as the driver renders them.</summary>
public sealed class MongoIdentityCommandTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 1, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Names_are_unique_and_found_in_any_case_through_a_folded_key()
    {
        var user = new User("u1", "Carol", Role.Admin, "hash", false, Now, "oidc|42", 2, Now.AddMinutes(5), Now.AddTicks(3));
        var document = MongoRender.Document(UserDocument.From(user));

        document["nameKey"].Should().Be(new BsonString("carol"));
        MongoRender.Filter(IdentityCommands.UserNamed("CAROL")).ShouldBe(new BsonDocument("nameKey", "carol"));
        MongoRender.Read<UserDocument>(document).ToUser().Should().Be(user);
        IndexKeys(IdentityCommands.UniqueName).ShouldBe(new BsonDocument("nameKey", 1));
    }

    [Fact]
    public void An_external_subject_is_unique_among_the_users_that_have_one()
    {
        var index = IdentityCommands.UniqueExternalSubject;

        IndexKeys(index).ShouldBe(new BsonDocument("externalSubject", 1));
        var partial = ((CreateIndexOptions<UserDocument>)index.Options).PartialFilterExpression;
        MongoRender.Filter(partial).ShouldBe(new BsonDocument("externalSubject", new BsonDocument("$type", 2)));
        MongoRender.Document(UserDocument.From(new User("u2", "dave", Role.Viewer, null, false, Now))).Names
            .Should().NotContain(["externalSubject", "passwordHash", "lockedUntil"], "a missing field is outside the partial index");
    }

    [Fact]
    public void Secrets_are_unique_by_hash_revoked_once_and_listed_newest_first()
    {
        IndexKeys(IdentityCommands.UniqueHash<TokenDocument>()).ShouldBe(new BsonDocument("hash", 1));
        IndexKeys(IdentityCommands.UniqueHash<IngestKeyDocument>()).ShouldBe(new BsonDocument("hash", 1));
        MongoRender.Filter(IdentityCommands.Unrevoked<TokenDocument>("t1")).ShouldBe(new BsonDocument { ["_id"] = "t1", ["revokedAt"] = BsonNull.Value });
        MongoRender.Update(IdentityCommands.Revoke<IngestKeyDocument>(Now)).ShouldBe(new BsonDocument("$set", new BsonDocument("revokedAt", Now.UtcTicks)));
        MongoRender.Sort(IdentityCommands.NewestFirst<TokenDocument>()).ShouldBe(new BsonDocument { ["createdAt"] = -1, ["_id"] = 1 });

        var token = new ApiToken("t1", "u1", "ci", Role.Editor, "smt_ab", "h1", Now, Now.AddDays(30), Now.AddHours(1), null);
        MongoRender.Read<TokenDocument>(MongoRender.Document(TokenDocument.From(token))).ToToken().Should().Be(token);
        var key = new IngestKey("k1", "nginx", "web-1", "smi_cd", "h2", Now, "alice", null, Now.AddDays(1));
        MongoRender.Read<IngestKeyDocument>(MongoRender.Document(IngestKeyDocument.From(key))).ToKey().Should().Be(key);
    }

    [Fact]
    public void Sessions_move_their_last_seen_time_forward_only_and_expire_by_age_or_idleness()
    {
        MongoRender.Update(IdentityCommands.Touch(Now)).ShouldBe(new BsonDocument("$max", new BsonDocument("lastSeenAt", Now.UtcTicks)));
        MongoRender.Filter(IdentityCommands.Expired(Now, Now.AddHours(-1))).ShouldBe(new BsonDocument("$or", new BsonArray
        {
            new BsonDocument("expiresAt", new BsonDocument("$lte", Now.UtcTicks)),
            new BsonDocument("lastSeenAt", new BsonDocument("$lt", Now.AddHours(-1).UtcTicks)),
        }));
        var session = new Session("h", "u1", Now, Now.AddTicks(1), Now.AddDays(7), "10.0.0.1");
        MongoRender.Read<SessionDocument>(MongoRender.Document(SessionDocument.From(session))).ToSession().Should().Be(session);
    }

    [Fact]
    public void Audit_ids_come_from_one_atomic_increment_and_queries_filter_the_actor_in_any_case()
    {
        MongoRender.Update(Sequences.Take(1)).ShouldBe(new BsonDocument("$inc", new BsonDocument("value", 1L)));
        var counter = MongoRender.Upsert(null, new BsonDocument("_id", IdentityCommands.AuditSequence), MongoRender.Update(Sequences.Take(1)));
        counter = MongoRender.Upsert(counter, new BsonDocument("_id", IdentityCommands.AuditSequence), MongoRender.Update(Sequences.Take(3)));
        MongoRender.Read<CounterDocument>(counter).Value.Should().Be(4, "the first id is 1 and the next three are 2 to 4");

        MongoRender.Filter(IdentityCommands.AuditMatching(new AuditQuery("Carol", AuditActions.SignIn, Now.AddHours(-1), Now, 50))).ShouldBe(new BsonDocument
        {
            ["actorKey"] = "carol",
            ["action"] = AuditActions.SignIn,
            ["at"] = new BsonDocument { ["$gte"] = Now.AddHours(-1).UtcTicks, ["$lt"] = Now.UtcTicks },
            ["_id"] = new BsonDocument("$lt", 50L),
        });
        MongoRender.Filter(IdentityCommands.AuditMatching(new AuditQuery())).ShouldBe([]);
        var entry = new AuditEntry(7, Now, "Carol", AuditActions.SignIn, "carol", "10.0.0.1", true, null);
        MongoRender.Read<AuditDocument>(MongoRender.Document(AuditDocument.From(entry, 7))).ToEntry().Should().Be(entry);
    }

    private static BsonDocument IndexKeys<T>(CreateIndexModel<T> index) => MongoRender.Keys(index.Keys);
}
