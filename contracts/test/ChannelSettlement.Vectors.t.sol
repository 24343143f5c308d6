// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Test} from "./utils/Test.sol";
import {ChannelSettlement} from "../src/ChannelSettlement.sol";
import {IChannelSettlement} from "../src/interfaces/IChannelSettlement.sol";
import {ISettlement} from "../src/interfaces/ISettlement.sol";
import {ICooperativeClose} from "../src/interfaces/ICooperativeClose.sol";
import {TestToken} from "../src/test/TestToken.sol";

/**
 * @notice Replays bytes produced by the TypeScript core (test/vectors/core.json, written by
 * test/vectors/generate.ts) against the contract: both sides must agree on the channel id, every
 * EIP-712 digest, signatures, Merkle leaves and proofs, and must reject the same malformed signatures.
 * The contract and token are placed at the addresses the vectors were made for.
 */
contract ChannelSettlementVectorsTest is Test {
    string internal json;
    ISettlement internal settlement;
    TestToken internal token;
    bytes32 internal id;

    function setUp() public {
        json = vm.readFile("test/vectors/core.json");
        vm.chainId(vm.parseJsonUint(json, ".chainId"));
        address at = vm.parseJsonAddress(json, ".verifyingContract");
        vm.etch(at, address(new ChannelSettlement()).code);
        settlement = ISettlement(at);
        address tokenAt = vm.parseJsonAddress(json, ".token");
        vm.etch(tokenAt, address(new TestToken("Test USD", "tUSD", 6)).code);
        token = TestToken(tokenAt);
        id = vm.parseJsonBytes32(json, ".channelId");
    }

    function _params() internal view returns (IChannelSettlement.OpenParams memory p) {
        p.participants = vm.parseJsonAddressArray(json, ".participants");
        p.sessionKeys = vm.parseJsonAddressArray(json, ".sessionKeys");
        uint256[] memory roles = vm.parseJsonUintArray(json, ".roles");
        p.roles = new uint8[](roles.length);
        for (uint256 i = 0; i < roles.length; ++i) {
            p.roles[i] = uint8(roles[i]);
        }
        p.threshold = uint16(vm.parseJsonUint(json, ".threshold"));
        p.disputeWindow = uint64(vm.parseJsonUint(json, ".disputeWindow"));
        p.minStake = vm.parseJsonUint(json, ".minStake");
        p.maxLeverage = uint32(vm.parseJsonUint(json, ".maxLeverage"));
        p.tokens = vm.parseJsonAddressArray(json, ".tokens");
        p.nonce = vm.parseJsonUint(json, ".nonce");
    }

    function _checkpoint() internal view returns (IChannelSettlement.Checkpoint memory cp) {
        cp.version = uint64(vm.parseJsonUint(json, ".checkpoint.version"));
        cp.leader = vm.parseJsonBytes32(json, ".checkpoint.leader");
        cp.time = uint64(vm.parseJsonUint(json, ".checkpoint.time"));
        cp.depositCount = uint64(vm.parseJsonUint(json, ".checkpoint.depositCount"));
        cp.forcedCount = uint64(vm.parseJsonUint(json, ".checkpoint.forcedCount"));
        cp.stateRoot = vm.parseJsonBytes32(json, ".checkpoint.stateRoot");
        cp.balancesRoot = vm.parseJsonBytes32(json, ".checkpoint.balancesRoot");
    }

    function _block(uint256 i) internal view returns (IChannelSettlement.BlockHeader memory h) {
        string memory k = string.concat(".blocks[", vm.toString(i), "]");
        h.author = vm.parseJsonAddress(json, string.concat(k, ".author"));
        h.seq = uint64(vm.parseJsonUint(json, string.concat(k, ".seq")));
        h.round = uint64(vm.parseJsonUint(json, string.concat(k, ".round")));
        h.time = uint64(vm.parseJsonUint(json, string.concat(k, ".time")));
        h.prev = vm.parseJsonBytes32(json, string.concat(k, ".prev"));
        h.parentsHash = vm.parseJsonBytes32(json, string.concat(k, ".parentsHash"));
        h.opsHash = vm.parseJsonBytes32(json, string.concat(k, ".opsHash"));
        h.signature = vm.parseJsonBytes(json, string.concat(k, ".signature"));
    }

    function _open() internal {
        IChannelSettlement.OpenParams memory p = _params();
        bytes[] memory sigs = vm.parseJsonBytesArray(json, ".authSigs");
        vm.prank(p.participants[0]);
        settlement.open(p, sigs);
    }

    function test_Vectors_DomainAndChannelId() public view {
        vm.assertEq(settlement.domainSeparator(), vm.parseJsonBytes32(json, ".domainSeparator"), "domain");
        vm.assertEq(settlement.computeChannelId(_params()), id, "channel id");
    }

    function test_Vectors_OpenWithCoreWalletSignatures() public {
        _open();
        IChannelSettlement.OpenParams memory p = _params();
        for (uint256 i = 0; i < p.participants.length; ++i) {
            vm.assertEq(settlement.sessionKeyRange(id, p.sessionKeys[i]).participant, p.participants[i], "session key");
        }
    }

    /// @dev Deposits the five balances: records 0..4, the ones the vectors' checkpoint credits.
    function _fund() internal {
        for (uint256 i = 0; i < 5; ++i) {
            (address who, address tok, uint256 amount) = _balance(i);
            _depositAs(who, tok, amount);
        }
    }

    function _depositAs(address who, address tok, uint256 amount) internal {
        if (tok == address(0)) {
            vm.deal(who, amount);
            vm.prank(who);
            settlement.depositEth{value: amount}(id);
        } else {
            token.mint(who, amount);
            vm.prank(who);
            token.approve(address(settlement), amount);
            vm.prank(who);
            settlement.deposit(id, tok, amount);
        }
    }

    /// @notice The core's SessionKeyRotation digest and wallet signature; after it the old key's checkpoint
    /// signature is refused at fromVersion and the new key's accepted.
    function test_Vectors_RotationFromCore() public {
        _open();
        _fund();
        address participant = vm.parseJsonAddress(json, ".rotation.participant");
        address newKey = vm.parseJsonAddress(json, ".rotation.newKey");
        uint64 fromSeq = uint64(vm.parseJsonUint(json, ".rotation.fromSeq"));
        uint64 fromVersion = uint64(vm.parseJsonUint(json, ".rotation.fromVersion"));
        vm.assertEq(
            settlement.hashSessionKeyRotation(id, participant, newKey, fromSeq, fromVersion),
            vm.parseJsonBytes32(json, ".rotation.digest"),
            "rotation digest"
        );
        settlement.rotateSessionKey(
            id, participant, newKey, fromSeq, fromVersion, vm.parseJsonBytes(json, ".rotation.walletSignature")
        );
        IChannelSettlement.Checkpoint memory cp = _checkpoint();
        bytes[] memory sigs = vm.parseJsonBytesArray(json, ".checkpoint.signatures");
        address oldKey = _params().sessionKeys[1];
        vm.expectRevert(
            abi.encodeWithSelector(IChannelSettlement.ChannelSettlementRevokedKey.selector, 1, oldKey, cp.version)
        );
        settlement.propose(id, cp, sigs);
        sigs[1] = vm.parseJsonBytes(json, ".rotation.checkpointSignature");
        settlement.propose(id, cp, sigs);
        vm.assertEq(settlement.getChannel(id).checkpoint.balancesRoot, cp.balancesRoot, "accepted with the new key");
    }

    function test_Vectors_CheckpointDigestAndSessionSignatures() public {
        _open();
        _fund();
        IChannelSettlement.Checkpoint memory cp = _checkpoint();
        vm.assertEq(settlement.hashCheckpoint(id, cp), vm.parseJsonBytes32(json, ".checkpoint.digest"), "digest");
        settlement.propose(id, cp, vm.parseJsonBytesArray(json, ".checkpoint.signatures"));
        vm.assertEq(settlement.getChannel(id).checkpoint.balancesRoot, cp.balancesRoot, "accepted");
    }

    /// @notice The core's Close digest and every participant's close signature end the channel at once; the leaves,
    /// in the order the core gives them, rebuild the core's root and each is paid to its wallet.
    function test_Vectors_CooperativeCloseWithCoreSignaturesAndLeaves() public {
        _open();
        _fund();
        IChannelSettlement.Checkpoint memory cp = _checkpoint();
        bytes32 cpDigest = settlement.hashCheckpoint(id, cp);
        vm.assertEq(
            settlement.hashClose(id, cp.version, cpDigest), vm.parseJsonBytes32(json, ".close.digest"), "close digest"
        );
        uint256 count = vm.parseJsonUint(json, ".close.leafCount");
        ICooperativeClose.BalanceLeaf[] memory leaves = new ICooperativeClose.BalanceLeaf[](count);
        for (uint256 i = 0; i < count; ++i) {
            string memory k = string.concat(".close.leaves[", vm.toString(i), "]");
            leaves[i] = ICooperativeClose.BalanceLeaf(
                vm.parseJsonAddress(json, string.concat(k, ".participant")),
                vm.parseJsonAddress(json, string.concat(k, ".token")),
                vm.parseJsonUint(json, string.concat(k, ".amount"))
            );
        }
        settlement.closeCooperatively(id, cp, vm.parseJsonBytesArray(json, ".close.signatures"), leaves);
        vm.assertTrue(settlement.getChannel(id).status == IChannelSettlement.Status.Finalized, "final at once");
        // after _fund every wallet holds nothing of what it deposited: what it has now is its leaf
        for (uint256 i = 0; i < count; ++i) {
            (address who, address tok, uint256 amount) = _balance(i);
            vm.assertEq(tok == address(0) ? who.balance : token.balanceOf(who), amount, "leaf paid");
        }
    }

    function test_Vectors_ClaimWithCoreMerkleProofs() public {
        _open();
        IChannelSettlement.Checkpoint memory cp = _checkpoint();
        uint256 count = 5;
        _fund();
        // a sixth deposit the checkpoint does not credit (its depositCount is 5): refundable after finalization
        (address late,,) = _balance(1);
        _depositAs(late, address(token), 77);
        settlement.propose(id, cp, vm.parseJsonBytesArray(json, ".checkpoint.signatures"));
        vm.warp(settlement.getChannel(id).deadline);
        settlement.finalize(id);
        for (uint256 i = 0; i < count; ++i) {
            (address who, address tok, uint256 amount) = _balance(i);
            string memory k = string.concat(".balances[", vm.toString(i), "]");
            vm.assertEq(
                settlement.exitLeaf(id, cp.version, who, tok, amount),
                vm.parseJsonBytes32(json, string.concat(k, ".leaf")),
                "leaf"
            );
            bytes32[] memory proof = vm.parseJsonBytes32Array(json, string.concat(k, ".proof"));
            vm.prank(who);
            settlement.claim(id, tok, amount, proof);
            vm.assertEq(settlement.owed(who, tok), amount, "claimed");
        }
        vm.assertEq(settlement.holdings(id, address(token)), 77, "only the uncredited deposit left");
        settlement.refundDeposit(id, 5);
        vm.assertEq(settlement.owed(late, address(token)), 250_000 + 77, "refunded to its depositor");
        vm.assertEq(settlement.holdings(id, address(token)), 0, "all token holdings out");
        vm.assertEq(settlement.holdings(id, address(0)), 0, "all eth holdings claimed");
    }

    function test_Vectors_EquivocationFromCoreBlocks() public {
        _open();
        IChannelSettlement.BlockHeader memory a = _block(0);
        IChannelSettlement.BlockHeader memory b = _block(1);
        vm.assertEq(settlement.hashBlock(id, a), vm.parseJsonBytes32(json, ".blocks[0].id"), "block id a");
        vm.assertEq(settlement.hashBlock(id, b), vm.parseJsonBytes32(json, ".blocks[1].id"), "block id b");
        settlement.slash(id, a, b);
        vm.assertTrue(settlement.getParticipant(id, a.author).slashed, "slashed");
    }

    /// The core's round equivocation: one author, one round, two seqs (a block the DAG must refuse as a fork).
    function test_Vectors_RoundEquivocationFromCoreBlocks() public {
        _open();
        IChannelSettlement.BlockHeader memory a = _block(0);
        IChannelSettlement.BlockHeader memory c = _block(2);
        vm.assertTrue(a.seq != c.seq && a.round == c.round, "same round, another seq");
        vm.assertEq(settlement.hashBlock(id, c), vm.parseJsonBytes32(json, ".blocks[2].id"), "block id c");
        settlement.slash(id, a, c);
        vm.assertTrue(settlement.getParticipant(id, a.author).slashed, "slashed");
    }

    /// Two checkpoints at one version signed by the same session keys: the contract keeps the lower digest,
    /// whichever arrives first, and each key's pair of signatures is slashable evidence.
    function test_Vectors_ConflictingCheckpointsLowestDigestWinsAndSlashes() public {
        _open();
        _fund();
        IChannelSettlement.Checkpoint memory cp = _checkpoint();
        IChannelSettlement.Checkpoint memory rival = _checkpoint();
        rival.stateRoot = vm.parseJsonBytes32(json, ".rival.stateRoot");
        bytes32 rivalDigest = vm.parseJsonBytes32(json, ".rival.digest");
        bytes32 digest = vm.parseJsonBytes32(json, ".checkpoint.digest");
        vm.assertEq(settlement.hashCheckpoint(id, rival), rivalDigest, "rival digest");
        bytes[] memory sigs = vm.parseJsonBytesArray(json, ".checkpoint.signatures");
        bytes[] memory rivalSigs = vm.parseJsonBytesArray(json, ".rival.signatures");
        (bytes32 low, bytes32 high) = digest < rivalDigest ? (digest, rivalDigest) : (rivalDigest, digest);
        if (digest < rivalDigest) {
            settlement.propose(id, rival, rivalSigs);
            settlement.propose(id, cp, sigs);
        } else {
            settlement.propose(id, cp, sigs);
            settlement.propose(id, rival, rivalSigs);
        }
        vm.assertEq(settlement.getChannel(id).checkpoint.digest, low, "the lower digest won");
        vm.assertTrue(high != low, "distinct");
        settlement.slashCheckpoints(id, cp, sigs[1], rival, rivalSigs[1]);
        vm.assertTrue(settlement.getParticipant(id, _params().participants[1]).slashed, "signer slashed");
    }

    function test_Vectors_MalformedSignaturesRejectedByBoth() public {
        // (signatures are checked before the deposit count, so no deposits are needed here)
        _open();
        IChannelSettlement.Checkpoint memory cp = _checkpoint();
        bytes[] memory sigs = vm.parseJsonBytesArray(json, ".checkpoint.signatures");
        for (uint256 i = 0; i < 4; ++i) {
            string memory k = string.concat(".badSignatures[", vm.toString(i), "]");
            string memory verdict = vm.parseJsonString(json, string.concat(k, ".coreVerdict"));
            vm.assertTrue(bytes(verdict).length < 42, "the core rejected these bytes too");
            sigs[0] = vm.parseJsonBytes(json, string.concat(k, ".signature"));
            vm.expectRevert(abi.encodeWithSelector(IChannelSettlement.ChannelSettlementInvalidSignature.selector, 0));
            settlement.propose(id, cp, sigs);
        }
    }

    /// Block signatures the core judged (wrong key, wrong domain, malformed): the contract reaches the same
    /// verdict on the same bytes — a malformed one is InvalidSignature, a well-formed one recovers the very
    /// address the core recovered, and only the author's session key is accepted.
    function test_Vectors_BlockSignatureVerdictsMatchCore() public {
        _open();
        IChannelSettlement.BlockHeader memory b = _block(1);
        address sessionKey = _params().sessionKeys[1];
        uint256 count = vm.parseJsonUint(json, ".blockCaseCount");
        uint256 accepted;
        for (uint256 i = 0; i < count; ++i) {
            string memory k = string.concat(".blockCases[", vm.toString(i), "]");
            IChannelSettlement.BlockHeader memory a = _block(0);
            a.signature = vm.parseJsonBytes(json, string.concat(k, ".signature"));
            address recovered = vm.parseJsonAddress(json, string.concat(k, ".recovered"));
            if (recovered == sessionKey) {
                // the valid signature: slashing with it is test_Vectors_EquivocationFromCoreBlocks
                ++accepted;
                continue;
            }
            if (recovered == address(0)) {
                vm.expectRevert(
                    abi.encodeWithSelector(IChannelSettlement.ChannelSettlementInvalidSignature.selector, 0)
                );
            } else {
                vm.expectRevert(
                    abi.encodeWithSelector(
                        IChannelSettlement.ChannelSettlementWrongSigner.selector, 0, sessionKey, recovered
                    )
                );
            }
            settlement.slash(id, a, b);
        }
        vm.assertEq(accepted, 1, "exactly one case is the author's valid signature");
        vm.assertFalse(settlement.getParticipant(id, b.author).slashed, "nothing was slashed");
    }

    /// Checkpoint signatures by a wallet key or for another chain, contract or channel: well formed, so both
    /// sides recover the same address, which is no session key of this channel.
    function test_Vectors_CheckpointSignatureVerdictsMatchCore() public {
        _open();
        IChannelSettlement.Checkpoint memory cp = _checkpoint();
        bytes[] memory sigs = vm.parseJsonBytesArray(json, ".checkpoint.signatures");
        uint256 count = vm.parseJsonUint(json, ".checkpointCaseCount");
        for (uint256 i = 0; i < count; ++i) {
            string memory k = string.concat(".checkpointCases[", vm.toString(i), "]");
            sigs[0] = vm.parseJsonBytes(json, string.concat(k, ".signature"));
            address recovered = vm.parseJsonAddress(json, string.concat(k, ".recovered"));
            vm.assertTrue(recovered != address(0), "well formed");
            vm.expectRevert(
                abi.encodeWithSelector(IChannelSettlement.ChannelSettlementUnauthorizedSigner.selector, 0, recovered)
            );
            settlement.propose(id, cp, sigs);
        }
    }

    function _balance(uint256 i) internal view returns (address who, address tok, uint256 amount) {
        string memory k = string.concat(".balances[", vm.toString(i), "]");
        who = vm.parseJsonAddress(json, string.concat(k, ".participant"));
        tok = vm.parseJsonAddress(json, string.concat(k, ".token"));
        amount = vm.parseJsonUint(json, string.concat(k, ".amount"));
    }
}
